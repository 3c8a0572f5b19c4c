"""The panel in a real Chromium (Debian's package, never a downloaded build), driven by
Playwright against the app served by uvicorn on loopback, with the worker embedded and
Telegram faked by a local Bot API server.

Skipped, with the reason in pytest's summary, where no Chromium is installed or Playwright
is missing, and on the PostgreSQL pass (the pages do not depend on the engine; the SQLite
pass runs them)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.core.settings import Settings
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.telegram_fixtures import (  # noqa: F401  (fixtures)
    _ptb_timedelta,
    fake,
    telegram_api,
    telegram_settings,
)
from tests.live_server import LiveServer

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "panel"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-4.14.1.min.js"
# No sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for path in CHROMIUM_PATHS:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def _skip_reason() -> str | None:
    if (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"):
        return "browser tests run in the SQLite pass only"
    if chromium_path() is None:
        return "no Chromium installed (apt-get install chromium); browser tests skipped"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]'); browser tests skipped"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def live(settings: Settings, engine: Engine, fake: FakeBotApi) -> Iterator[LiveServer]:  # noqa: F811
    with LiveServer(telegram_settings(settings, fake)) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Any, live: LiveServer, email: str, password: str) -> None:
    page.goto(f"{live.url}/panel/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def wait_for(check: Any, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (vendored from npm) run inside the page: WCAG 2 A and AA rules."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return list(result)


def layout_problems(page: Any) -> list[str]:
    """At the current width: sideways scrolling, and controls smaller than 44 px to tap."""
    return list(
        page.evaluate(
            """() => {
            const problems = [];
            if (document.documentElement.scrollWidth > window.innerWidth + 1)
                problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px`);
            for (const el of document.querySelectorAll('a, button, input, select, textarea')) {
                if (el.type === 'hidden') continue;
                const target = el.type === 'checkbox' ? el.closest('label') : el;
                const box = target.getBoundingClientRect();
                if (box.width === 0 && box.height === 0) continue;  // not shown
                if (el.classList.contains('skip')) continue;  // off screen until focused
                if (box.height < 44) problems.push(`${el.outerHTML.slice(0, 80)}: ${box.height}px`);
            }
            return problems;
        }"""
        )
    )


def screenshot(page: Any, name: str) -> None:
    """The page at 360 px and at 1280 px, into artifacts/panel/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
