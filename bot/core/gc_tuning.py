"""The garbage collector for long-running processes (serve, worker).

Python's cyclic collector walks every tracked object in its oldest generation; after the
imports (FastAPI, SQLAlchemy, python-telegram-bot, the flows' vocabularies) that is
hundreds of thousands of objects, and each full pass stopped request handling for
tens of milliseconds: the webhook's p99 was 110 ms where its median was 10
(bench/inbound.py). Freezing what exists at start-up takes it out of every later pass,
and a larger first threshold makes passes rarer; cycles are still collected.
"""

from __future__ import annotations

import gc

# Allocations between young-generation passes (Python's default is 700), then how many
# young passes make a middle one and middle passes an old one (defaults 10 and 10).
THRESHOLDS = (50_000, 50, 100)


def tune_for_serving() -> None:
    """Call once, after the application is built and before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
