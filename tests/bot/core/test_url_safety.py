"""Webhook URLs: https and public addresses only in production, so a partner's URL can
never make the server call itself or its private network."""

from __future__ import annotations

import pytest

from bot.core.url_safety import UnsafeUrl, check_webhook_url, resolved_addresses


@pytest.mark.parametrize(
    "url",
    [
        "http://partner.example.org/hook",  # not https
        "https://localhost/hook",
        "https://LOCALHOST./hook",
        "https://127.0.0.1/hook",
        "https://127.1.2.3:8443/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.10/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://0.0.0.0/hook",
        "https://printer.local/hook",
        "https://db.internal/hook",
        "https://user:secret@partner.example.org/hook",
        "ftp://partner.example.org/hook",
        "https:///nohost",
        "https://partner.example.org:0/hook",
        "https://partner.example.org:99999/hook",
        "not a url",
        "https://partner.example.org/" + "a" * 500,
    ],
)
def test_refused_in_production(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_webhook_url(url, production=True)


@pytest.mark.parametrize(
    "url", ["https://partner.example.org/hook", "https://93.184.216.34/jolserik?x=1"]
)
def test_public_https_is_accepted_in_production(url: str) -> None:
    assert check_webhook_url(f"  {url} ", production=True) == url


def test_development_allows_a_local_receiver() -> None:
    assert check_webhook_url("http://127.0.0.1:8765/hook", production=False)
    with pytest.raises(UnsafeUrl):
        check_webhook_url("ftp://127.0.0.1/hook", production=False)


def _resolving_to(*addresses: str):  # type: ignore[no-untyped-def]
    def resolve(host, port, **_kw):  # type: ignore[no-untyped-def]
        return [(2, 1, 6, "", (address, port)) for address in addresses]

    return resolve


def test_a_name_resolving_to_a_private_address_is_refused_before_sending() -> None:
    url = "https://partner.example.org/hook"
    with pytest.raises(UnsafeUrl, match="private"):
        resolved_addresses(url, production=True, resolve=_resolving_to("93.184.216.34", "10.1.1.1"))
    with pytest.raises(UnsafeUrl, match="private"):
        resolved_addresses(url, production=True, resolve=_resolving_to("::ffff:169.254.169.254"))
    public = _resolving_to("93.184.216.34", "2606:2800:220:1::1", "93.184.216.34")
    # What the delivery connects to: each checked address once, in the resolver's order.
    assert resolved_addresses(url, production=True, resolve=public) == [
        "93.184.216.34",
        "2606:2800:220:1::1",
    ]


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def fails(*_args, **_kw):  # type: ignore[no-untyped-def]
        raise OSError("no such name")

    with pytest.raises(UnsafeUrl, match="resolve"):
        resolved_addresses("https://partner.example.org/hook", production=True, resolve=fails)
