"""What machine a benchmark ran on, saved beside its figures: rates move with the machine
(the same code measured 1,387-1,498 and 689-720 processed updates a second on two
machines of the same kind), so each result carries the CPU's name, the cores it may use,
and the time of a fixed piece of pure Python to compare machines by."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

# Enough work to take about a second on a current CPU, short enough to run per result.
LOOP = 10_000_000


def python_loop_seconds() -> float:
    """The best of three timings of a fixed arithmetic loop: lower is a faster machine."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(LOOP):
            total += n * n
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, Any]:
    return {
        "cpu": cpu_name(),
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "python_loop_seconds": python_loop_seconds(),
    }
