"""The `jolserik` command line."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from bot.channels.telegram.cli import telegram_app
from bot.core.logging_setup import configure_logging
from bot.core.settings import Settings, load_settings
from bot.core.startup_errors import check_port_free, explain

# Typer's pretty tracebacks print local variables: settings, passwords, personal data.
app = typer.Typer(
    help="Jolserik: post-release support bot.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
partners_app = typer.Typer(help="Partner organisations and their openings.", no_args_is_help=True)
inbound_app = typer.Typer(
    help="Inbound events that failed: list them, retry them.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(partners_app, name="partners")
app.add_typer(inbound_app, name="inbound")
app.add_typer(telegram_app, name="telegram")

log = logging.getLogger("jolserik")


class _Options:
    debug = False


@app.callback()
def _root(
    debug: bool = typer.Option(
        False, "--debug", help="Show full tracebacks instead of one-line errors."
    ),
) -> None:
    _Options.debug = debug


@contextmanager
def _explained(database_url: str) -> Iterator[None]:
    """Known operator mistakes end in one line that says what to fix (see startup_errors)."""
    try:
        yield
    except Exception as exc:
        message = explain(exc, database_url)
        if message is None or _Options.debug:
            raise
        typer.secho(message, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


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
    """Serve the HTTP app (webhooks, admin API, simulator), with the worker unless told not.

    Beyond loopback (any --host but 127.0.0.1, ::1, localhost) only with a real SECRET_KEY."""
    import uvicorn

    from bot.app import create_app
    from bot.core.db import make_engine
    from bot.core.gc_tuning import tune_for_serving
    from bot.core.serving import server_options

    settings = _settings()
    refusal = settings.refusal_to_listen(host)
    if refusal is not None:
        typer.secho(refusal, fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    with _explained(settings.database_url):
        make_engine(settings.database_url).dispose()  # a bad URL or a missing driver, now
    busy = check_port_free(host, port)
    if busy:
        typer.secho(busy, fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    # An unreachable database is not fatal here: /readyz says so and the worker waits.
    application = create_app(settings, with_worker=not no_worker)
    tune_for_serving()
    uvicorn.run(application, **server_options(host=host, port=port))


@app.command()
def worker() -> None:
    """Run the inbound processor, the dispatcher and the scheduled sweeps (no HTTP)."""
    from bot.core.db import make_engine
    from bot.core.gc_tuning import tune_for_serving
    from bot.core.runtime import Runtime

    settings = _settings()
    with _explained(settings.database_url):
        make_engine(settings.database_url).dispose()  # a bad URL or a missing driver, now

    async def main() -> None:
        runtime = Runtime.build(settings, with_worker=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await runtime.start()
        tune_for_serving()
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
    with _explained(settings.database_url):
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
    with _explained(settings.database_url):
        engine = make_engine(settings.database_url)
    try:
        with _explained(settings.database_url), session_scope(engine) as session:
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


@partners_app.command("import")
def partners_import(
    file: typer.FileBinaryRead = typer.Argument(..., help="The CSV (see docs/partners.csv)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row; change nothing."),
) -> None:
    """Import organisations and openings from a CSV: all rows or none."""
    from admin.organisations.csv_import import MAX_BYTES, import_partners
    from bot.core.clock import utcnow
    from bot.core.db import make_engine, session_scope

    settings = _settings()
    data = file.read(MAX_BYTES + 1)
    with _explained(settings.database_url):
        engine = make_engine(settings.database_url)
    try:
        with _explained(settings.database_url), session_scope(engine) as session:
            report = import_partners(session, settings, data, dry_run=dry_run, now=utcnow())
    finally:
        engine.dispose()
    for line in report.errors:
        typer.secho(line, fg=typer.colors.RED, err=True)
    if not report.ok:
        typer.secho(
            f"Nothing imported: {len(report.errors)} problem(s) to fix first.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
    for line in report.done:
        typer.echo(line)
    verb = "Would import (dry run, nothing changed)" if dry_run else "Imported"
    typer.echo(f"{verb}: {report.created} created, {report.updated} updated.")


@inbound_app.command("failed")
def inbound_failed(
    limit: int = typer.Option(100, min=1, max=10_000, help="How many to list, oldest first."),
) -> None:
    """List inbound events whose processing failed (ids and times, never their content)."""
    from bot.core.db import make_engine
    from bot.intake.failed import list_failed

    settings = _settings()
    with _explained(settings.database_url):
        engine = make_engine(settings.database_url)
        try:
            total, events = list_failed(engine, limit=limit)
        finally:
            engine.dispose()
    typer.echo(f"{total} failed inbound event(s).")
    for event in events:
        typer.echo(
            f"#{event.id}  {event.channel:<9} received {event.received_at:%Y-%m-%d %H:%M:%S}"
            f"  failed {event.failed_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    if total:
        typer.echo("After fixing the cause: jolserik inbound retry --all (or --id N ...).")


@inbound_app.command("retry")
def inbound_retry(
    ids: list[int] = typer.Option(None, "--id", help="A failed event's id (repeatable)."),
    every: bool = typer.Option(False, "--all", help="Every failed event."),
) -> None:
    """Process failed inbound events again (the worker takes them up)."""
    from bot.core.db import make_engine
    from bot.intake.failed import retry_failed

    if bool(ids) == every:
        typer.secho("Give --id N (one or more) or --all.", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    settings = _settings()
    with _explained(settings.database_url):
        engine = make_engine(settings.database_url)
        try:
            count = retry_failed(engine, None if every else ids)
        finally:
            engine.dispose()
    typer.echo(f"{count} event(s) back in the queue; the worker processes them next.")


@app.command()
def demo(
    url: str = typer.Option(
        None, help="Where the printed links point (default: PUBLIC_BASE_URL).", show_default=False
    ),
) -> None:
    """Seed demo data into an empty database and print how to log in."""
    from bot.core.db import make_engine
    from bot.demo import seed_demo

    settings = _settings()
    if url:
        settings = settings.model_copy(update={"public_base_url": url.rstrip("/")})
    with _explained(settings.database_url):
        engine = make_engine(settings.database_url)
        try:
            report = seed_demo(engine, settings)
        finally:
            engine.dispose()
    typer.echo(report)


def main() -> None:
    app()
