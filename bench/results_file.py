"""Each benchmark's figures in bench/results/<name>.json, one entry per database engine,
so a SQLite run and a PostgreSQL run of the same benchmark sit side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save(path: Path, backend: str, results: dict[str, Any]) -> None:
    """Keep `results` under `backend`, with the machine they came from (bench/machine.py)."""
    from bench.machine import describe

    path.parent.mkdir(exist_ok=True)
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[backend] = {**results, "machine": describe()}
    path.write_text(json.dumps(existing, indent=2) + "\n")
