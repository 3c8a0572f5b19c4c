"""The composition root: the only module that mounts webhooks/ and admin/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.core.errors import install_error_handlers
from bot.core.health import router as health_router
from bot.core.middleware import Guard
from bot.core.runtime import Runtime
from bot.core.settings import Settings, load_settings


def create_app(settings: Settings | None = None, *, with_worker: bool = False) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(settings, with_worker=with_worker)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # Production publishes no API description: neither the docs page nor its source.
    app = FastAPI(
        title="Jolserik",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None if settings.is_production else "/docs",
        openapi_url=None if settings.is_production else "/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Headers on every answer, the 500 guard, the body limit and the client's address for
    # the audit trail, in one layer (bot/core/middleware.py).
    app.add_middleware(
        Guard, max_bytes=settings.max_request_body_bytes, hsts=settings.is_production
    )

    from admin.api import router as admin_router
    from webhooks.simulator import page_router as simulator_page_router
    from webhooks.simulator import router as simulator_router

    # Providers' webhooks first: routes are matched in order, and the back office has
    # hundreds; the busiest path should not be tried against all of them.
    if settings.telegram_enabled:
        from webhooks.telegram import router as telegram_router

        app.include_router(telegram_router, prefix="/webhooks")
    if settings.twilio_enabled:
        from webhooks.twilio import router as twilio_router

        app.include_router(twilio_router, prefix="/webhooks")
    app.include_router(health_router)
    app.include_router(admin_router, prefix="/api/v1")
    from admin.panel.site import mount_panel

    mount_panel(app)
    if settings.simulator_enabled:
        app.include_router(simulator_router, prefix="/webhooks")
        app.include_router(simulator_page_router)
    return app
