"""A process whose database is down keeps running quietly: /readyz says so, the dispatcher
backs off, the sweeps wait for the next tick, and nothing logs a traceback a second."""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.core.db import make_engine
from bot.delivery.lanes import DispatcherLanes
from bot.delivery.outbox import Dispatcher
from bot.scheduling.worker import Worker
from tests.channels import ScriptedChannel

# Loopback port 1: nothing listens, so every connection is refused at once.
DOWN_URL = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"


@pytest.fixture
def down_settings(settings):
    return settings.model_copy(update={"database_url": DOWN_URL})


def test_readyz_reports_the_database_unreachable(down_settings):
    with TestClient(create_app(down_settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_the_dispatcher_backs_off_with_one_line_and_no_traceback(caplog):
    engine = make_engine(DOWN_URL)
    dispatcher = Dispatcher(engine, {"simulator": ScriptedChannel()}, poll_seconds=0.05)
    with caplog.at_level(logging.INFO, logger="bot.delivery.outbox"):
        task = asyncio.create_task(dispatcher.run_forever())
        await asyncio.sleep(2.5)
        dispatcher.stop()
        await asyncio.wait_for(task, timeout=5)
    engine.dispose()
    waits = [r for r in caplog.records if r.getMessage().startswith("database unavailable")]
    # At a 0.05 s poll, without backoff there would be ~50 attempts in 2.5 s; with it, the
    # waits double from one second (1 s, then 2 s: the third attempt falls after the stop).
    retries = [r.retry_in_seconds for r in waits]
    assert retries and retries == [1.0, 2.0, 4.0][: len(retries)]
    assert len(retries) <= 2
    assert not any(r.exc_info for r in caplog.records)


async def test_the_sweeps_stop_at_the_first_and_log_one_warning(down_settings, caplog):
    engine = make_engine(DOWN_URL)
    lanes = DispatcherLanes(engine, {})
    worker = Worker(down_settings, engine, lanes)
    with caplog.at_level(logging.INFO, logger="bot.scheduling.worker"):
        summaries = await worker.run_sweeps_once()
    engine.dispose()
    assert len(summaries) == 1 and summaries[0].unavailable
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    assert not any(r.exc_info for r in caplog.records)
