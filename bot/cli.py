"""The `jolserik` command line."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer

from bot.channels.telegram.cli import telegram_app
from bot.core.logging_setup import configure_logging
from bot.core.settings import Settings, load_settings

app = typer.Typer(help="Jolserik: post-release support bot.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(telegram_app, name="telegram")

log = logging.getLogger("jolserik")


def _settings() -> Settings:
    try:
        settings = load_settings()
    except Exception as exc:  # pydantic's ValidationError: show what to fix, not a traceback
        typer.secho(f"Configuration error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    configure_logging(json_lines=settings.is_production, level=settings.log_level)
    return settings


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not embed the worker (run `jolserik worker` separately)."
    ),
) -> None:
    """Serve the HTTP app (webhooks, admin API, simulator), with the worker unless told not."""
    import uvicorn

    from bot.app import create_app

    settings = _settings()
    application = create_app(settings, with_worker=not no_worker)
    uvicorn.run(application, host=host, port=port, log_config=None, proxy_headers=True)


@app.command()
def worker() -> None:
    """Run the dispatcher and the scheduled sweeps alone (no HTTP)."""
    from bot.core.runtime import Runtime

    settings = _settings()

    async def main() -> None:
        runtime = Runtime.build(settings, with_worker=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await runtime.start()
        try:
            await stop.wait()
        finally:
            await runtime.stop()

    asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from bot.core.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"Database at {revision}.")


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="Login e-mail."),
    role: str = typer.Option(..., help="admin, supervisor, officer or ngo."),
    password: str = typer.Option(
        None, help="At least 12 characters; asked for when not given.", show_default=False
    ),
    name: str = typer.Option("", help="Full name."),
    organisation_id: int = typer.Option(None, help="The NGO of an ngo user (required for ngo)."),
    supervisor_id: int = typer.Option(None, help="The supervisor (a supervisor or admin)."),
) -> None:
    """Create a staff account."""
    from bot.core.db import make_engine, session_scope
    from bot.services.users import create_user

    settings = _settings()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            user = create_user(
                session,
                email=email,
                password=password,
                role=role,
                full_name=name,
                organisation_id=organisation_id,
                supervisor_id=supervisor_id,
            )
            session.flush()
            typer.echo(f"Created {user.role} #{user.id} <{user.email}>.")
            if settings.is_production and user.role == "admin":
                typer.echo(
                    "Production admins need a second factor: the first login gives a token "
                    "that can only call POST /api/v1/me/totp and /api/v1/me/totp/confirm."
                )
    except ValueError as exc:
        typer.secho(f"Not created: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@app.command()
def demo() -> None:
    """Seed demo data into an empty database and print how to log in."""
    from bot.core.db import make_engine
    from bot.demo import seed_demo

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        report = seed_demo(engine, settings)
    finally:
        engine.dispose()
    typer.echo(report)


def main() -> None:
    app()
