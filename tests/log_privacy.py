"""Every log line the whole suite produces, formatted as production writes it, read at the
end of the run for what must never be in a log: a phone number, a message body or a name
(any Cyrillic letter: log lines are English, so Cyrillic can only be a person's words or
name), a token, a webhook secret or a password. A line that has one fails the run and is
printed with where it came from.

Registered by tests/conftest.py as a plugin; `-p no:log_privacy` is not offered on
purpose."""

from __future__ import annotations

import logging
import re
from dataclasses import astuple, dataclass
from typing import Any

import pytest

from bot.core.logging_setup import JsonFormatter, quiet_noisy_loggers
from bot.demo import DEMO_PASSWORD
from tests.admin.helpers import PASSWORD
from tests.bot.channels.telegram.updates import SECRET
from tests.fakes.telegram_api import TOKEN
from tests.fakes.twilio_api import AUTH_TOKEN

SECRETS = (PASSWORD, DEMO_PASSWORD, SECRET, TOKEN, AUTH_TOKEN, TOKEN.split(":")[1])
FORBIDDEN = (
    ("a phone number", re.compile(r"\+\d{10,15}\b|\b[78]7\d{9}\b")),
    ("Cyrillic (a message or a name)", re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")),
    ("a JWT", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    *((f"a test secret ({s[:4]}…)", re.compile(re.escape(s))) for s in SECRETS),
)


@dataclass
class Finding:
    what: str
    logger: str
    test: str
    line: str


class LogPrivacy(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.findings: list[Finding] = []
        self.lines = 0
        self.test = "(outside a test)"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception as exc:  # a record that cannot be formatted is a finding too
            line = f"unformattable record: {type(exc).__name__}"
        self.lines += 1
        for what, pattern in FORBIDDEN:
            if pattern.search(line):
                self.findings.append(Finding(what, record.name, self.test, line[:300]))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: object):  # type: ignore[no-untyped-def]
        self.test = item.nodeid
        yield
        self.test = "(between tests)"

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Under pytest-xdist: what a worker process read joins the controller's count."""
        found = getattr(node, "workeroutput", {}).get("log_privacy")
        if found:
            self.lines += found["lines"]
            self.findings.extend(Finding(*finding) for finding in found["findings"])

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        logging.getLogger().removeHandler(self)
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:  # a pytest-xdist worker: the controller reports
            workeroutput["log_privacy"] = {
                "lines": self.lines,
                "findings": [list(astuple(finding)) for finding in self.findings],
            }
            return
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if not self.findings:
            if reporter is not None:
                reporter.write_line(
                    f"log privacy: {self.lines} log lines read; none carries a phone number,"
                    " a message, a name, a token or a password"
                )
            return
        if reporter is not None:
            reporter.section("log privacy", sep="=", red=True)
            for finding in self.findings[:50]:
                reporter.line(f"{finding.what} in {finding.logger} during {finding.test}:")
                reporter.line(f"    {finding.line}")
            reporter.line(f"{len(self.findings)} log lines carry what must never be logged")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def install(config: pytest.Config) -> LogPrivacy:
    """Read every record at INFO and above, with the same quiet third-party loggers as
    production (configure_logging), whatever a test does with caplog."""
    handler = LogPrivacy()
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    quiet_noisy_loggers()
    config.pluginmanager.register(handler, "log_privacy")
    return handler
