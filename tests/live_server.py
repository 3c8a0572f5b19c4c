"""The app served by uvicorn in a thread on a free loopback port, for tests that need a
real HTTP server (a browser, concurrent clients)."""

from __future__ import annotations

import threading
import time

from bot.app import create_app
from bot.core.settings import Settings


class LiveServer:
    """The app under uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: Settings, *, with_worker: bool = True) -> None:
        import uvicorn

        from bot.core.serving import server_options

        # As `serve` runs it, on a free port.
        app = create_app(settings, with_worker=with_worker)
        config = uvicorn.Config(app, **server_options(host="127.0.0.1", port=0))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
