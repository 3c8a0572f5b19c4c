"""Telegram webhook deliveries against `jolserik serve --no-worker`, beside the ceiling:
a bare FastAPI endpoint on the same server stack (uvicorn) that only parses the JSON and
answers 200. Runs alternate (ceiling, app, ceiling, app) so both see the same machine.

Two loads: closed (32 and 64 clients, each sending its next update as soon as the last is
answered: the most the server takes) and open (200 updates/s spread over 32 clients:
the latency a steady stream sees). The updates are what people send: check-in answers
(a digit), button presses and free text, each from one of 1,000 enrolled people, every
one distinct (a repeat would be the cheap duplicate path).

    .venv/bin/python -m bench.inbound [--seconds 10] [--database-url URL]

Prints a table and writes bench/results/inbound.json. The load runs in 4 processes of
client threads on the same machine, so on 2 cores the client takes CPU from the server;
the ceiling pays the same price.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.results_file import save

RESULTS = Path(__file__).parent / "results" / "inbound.json"
SECRET = "bench-webhook-secret-0123456789"  # noqa: S105  (the bench server's own)
PEOPLE = 1000
FIRST_CHAT = 770_000_000
PROCESSES = 4
TEXTS = ("3", "5", "норм", "спасибо, всё хорошо", "мне нужна работа", "2", "ok", "жақсы")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def body(n: int) -> bytes:
    chat = FIRST_CHAT + n % PEOPLE
    user = {"id": chat, "is_bot": False, "first_name": "P", "language_code": "ru"}
    message = {
        "message_id": n + 1,
        "date": 1764800000,
        "chat": {"id": chat, "type": "private", "first_name": "P"},
        "from": user,
        "text": TEXTS[n % len(TEXTS)],
    }
    if n % 4 == 1:  # a button press
        bot = {"id": 1, "is_bot": True, "first_name": "B"}
        query = {"id": str(n), "from": user, "chat_instance": "1", "data": "x:1",
                 "message": {**message, "from": bot}}  # fmt: skip
        return json.dumps({"update_id": n + 1, "callback_query": query}).encode()
    return json.dumps({"update_id": n + 1, "message": message}).encode()


def _client(
    args: tuple[int, int, float, float | None, int, int],
) -> tuple[list[tuple[float, int]], float, float]:
    """One process: `threads` clients with kept-alive connections, for `seconds`. Returns
    the samples and when the clients started and ended (the clock is the machine's, so
    the processes' times compare)."""
    port, threads, seconds, rate, first, stride = args
    out: list[tuple[float, int]] = []
    lock = threading.Lock()
    counter = itertools.count(first, stride)
    began = time.monotonic()
    stop = began + seconds
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[tuple[float, int]] = []
        next_at = time.monotonic()
        while time.monotonic() < stop:
            if rate:
                next_at += threads * PROCESSES / rate
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            started = time.perf_counter()
            try:
                conn.request("POST", "/webhooks/telegram", body(next(counter)), headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(((time.perf_counter() - started) * 1000, status))
        with lock:
            out.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return out, began, time.monotonic()


def load(
    port: int,
    clients: int,
    seconds: float,
    rate: float | None,
    first: int,
    cpus: set[int] | None = None,
) -> dict[str, Any]:
    """`clients` concurrent clients for `seconds` (at `rate` a second in all, if given),
    from processes kept on `cpus` when given."""
    per = max(1, clients // PROCESSES)
    jobs = [(port, per, seconds, rate, first + k, PROCESSES) for k in range(PROCESSES)]
    pin = {"initializer": os.sched_setaffinity, "initargs": (0, cpus)} if cpus else {}
    with multiprocessing.get_context("spawn").Pool(PROCESSES, **pin) as pool:
        parts = pool.map(_client, jobs)
    samples = [s for part, _, _ in parts for s in part]
    # From the first client's start to the last one's end: starting the processes is not
    # part of the load (it made every rate read about a tenth low).
    elapsed = max(end for _, _, end in parts) - min(began for _, began, _ in parts)
    ok = sorted(ms for ms, status in samples if status == 200)
    errors = len(samples) - len(ok)

    def pct(p: float) -> float:
        return ok[min(len(ok) - 1, int(len(ok) * p))] if ok else float("nan")

    return {
        "clients": clients,
        "rate": rate,
        "per_second": len(ok) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": errors,
        "sent": len(samples),
    }


def prepare(url: str) -> None:
    """A fresh schema with 1,000 people enrolled on Telegram, each with the conversation
    row enrolment leaves (idle)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.sweeps import reset
    from bot.core.clock import utcnow
    from bot.core.db import make_engine
    from bot.models import ChannelIdentity, ConversationState, Person

    reset(url)
    engine = make_engine(url)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [{"display_name": f"P{n}", "language": "ru", "timezone": "Asia/Almaty",
              "supervision_level": "medium", "status": "active", "consent_given": True,
              "missed_checkins_in_row": 0, "created_at": now, "updated_at": now}
             for n in range(PEOPLE)],
        )  # fmt: skip
        ids = [r[0] for r in conn.execute(select(Person.id).order_by(Person.id))]  # type: ignore[arg-type]
        conn.execute(
            insert(ChannelIdentity),
            [{"person_id": pid, "channel": "telegram", "address": str(FIRST_CHAT + n),
              "blocked": False, "opted_out": False, "created_at": now}
             for n, pid in enumerate(ids)],
        )  # fmt: skip
        conn.execute(
            insert(ConversationState),
            [{"person_id": pid, "data": {}, "misunderstood_in_row": 0, "updated_at": now}
             for pid in ids],
        )  # fmt: skip
    engine.dispose()


def mark_processed(url: str) -> None:
    """Mark every stored event processed, as the worker would have (`serve --no-worker`
    leaves them pending): in a running service the pending-event indexes hold the few
    events not yet taken, and a load measured over tens of thousands never taken would
    measure those indexes' growth (the rate fell by a sixth over five loads on SQLite)."""
    from sqlalchemy import update

    from bot.core.clock import utcnow
    from bot.core.db import make_engine
    from bot.models import InboundEvent

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(InboundEvent)
            .where(InboundEvent.processed_at.is_(None))  # type: ignore[union-attr]
            .values(processed_at=utcnow(), outcome="message", payload=None)
        )
    engine.dispose()


def pinning(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """The CPUs for the server and for the load generator: the first one and the rest, so
    the load generator does not take the server's time (the database still runs on any)."""
    if not pin:
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise SystemExit("--pin needs at least two CPUs")
    return {cpus[0]}, set(cpus[1:])


def start(
    kind: str,
    port: int,
    url: str,
    api_base: str,
    cpus: set[int] | None = None,
    log_level: str = "WARNING",
) -> subprocess.Popen[bytes]:
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": "123456:bench-token",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": api_base,
        "LOG_LEVEL": log_level,
    }
    if kind == "ceiling":
        command = [str(bin_dir / "uvicorn"), "bench.ceiling:app", "--port", str(port),
                   "--log-level", "warning", "--no-access-log"]  # fmt: skip
    elif kind == "worker":  # the worker embedded: the processor and the dispatcher too
        command = [str(bin_dir / "jolserik"), "serve", "--port", str(port)]
    else:
        command = [str(bin_dir / "jolserik"), "serve", "--no-worker", "--port", str(port)]
    # Our own entry points from this venv, not input.
    process = subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if cpus:
        os.sched_setaffinity(process.pid, cpus)
    wait_until_up(port)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument(
        "--pin",
        action="store_true",
        help="keep the server on the first CPU and the load generator on the others",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="the app's LOG_LEVEL (INFO, the default of a deployment, writes an access line"
        " per request)",
    )
    args = parser.parse_args()
    server_cpus, load_cpus = pinning(args.pin)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    prepare(url)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.fakes.telegram_api import FakeBotApi

    fake = FakeBotApi().start()
    backend = url.split(":")[0].split("+")[0]
    results: dict[str, Any] = {
        "backend": backend,
        "pinned": args.pin,
        "log_level": args.log_level,
        "runs": [],
    }
    first = 0
    try:
        for _round in range(2):
            for kind in ("ceiling", "app"):
                port = free_port()
                server = start(kind, port, url, fake.base_url, server_cpus, args.log_level)
                try:
                    for clients, rate in ((32, None), (64, None), (32, 200.0)):
                        measured = load(port, clients, args.seconds, rate, first, load_cpus)
                        first += 10_000_000
                        results["runs"].append({"server": kind, **measured})
                        if kind == "app":
                            mark_processed(url)
                finally:
                    server.terminate()
                    server.wait(timeout=20)
    finally:
        fake.stop()
    where = f", server on CPU {server_cpus}, load on {load_cpus}" if args.pin else ""
    print(
        f"{backend}: Telegram webhook, {args.seconds:g} s per load, two alternating rounds{where},"
        f" LOG_LEVEL={args.log_level}"
    )
    heads = "".join(f"{h:>9}" for h in ("per s", "p50 ms", "p95 ms", "p99 ms", "errors"))
    print(f"  {'server':<8} {'load':<14}{heads}")
    for run in results["runs"]:
        shape = f"{run['rate']:.0f}/s, 32" if run["rate"] else f"{run['clients']} clients"
        print(
            f"  {run['server']:<8} {shape:<14} {run['per_second']:>8.0f} {run['p50_ms']:>8.1f}"
            f" {run['p95_ms']:>8.1f} {run['p99_ms']:>8.1f} {run['errors']:>7}"
        )
    key = f"{backend}-pinned" if args.pin else backend
    key += "" if args.log_level == "WARNING" else f"-{args.log_level.lower()}"
    save(RESULTS, key, results)


if __name__ == "__main__":
    main()
