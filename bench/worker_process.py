"""`jolserik worker` in its own process for the benchmarks: our own entry point from this
virtualenv, against the bench database and a fake provider, quiet but for warnings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def start_worker(url: str, provider_env: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        **provider_env,
    }
    return subprocess.Popen(  # noqa: S603  (our own entry point)
        [str(Path(sys.executable).parent / "jolserik"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
