"""A partner's webhook receiver on loopback: it checks every request with the code the
README gives partners (taken from the README itself), answers with a scripted status, and
records what came."""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verifier() -> Callable[[str, Any, bytes], bool]:
    """`is_from_jolserik` exactly as the README prints it."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- receiver -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "the README's receiver example is missing"
    namespace: dict[str, Any] = {}
    exec(match.group(1), namespace)  # noqa: S102 - our own README, the point of the test
    return namespace["is_from_jolserik"]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    secret: str = ""
    # Statuses to answer, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def next_status(self) -> int:
        return self.script.pop(0) if self.script else 200


@contextmanager
def webhook_receiver(
    secret: str = "", script: list[int] | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[Receiver]:
    verify = readme_verifier()
    receiver = Receiver(secret=secret, script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {key: value for key, value in self.headers.items()}
            receiver.received.append(
                Received(self.path, headers, body, verify(receiver.secret, self.headers, body))
            )
            code = receiver.next_status()
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the test reads `received`

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:  # https, with the certificate the context holds
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/hooks/jolserik"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
