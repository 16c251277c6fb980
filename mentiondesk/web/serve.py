"""Running the desk with uvicorn: `mentiondesk serve` (one process, or `--workers N`) and `mentiondesk demo`.

With several workers uvicorn starts N processes on one listening socket; each builds its own app with
`desk_from_environment` (an app factory, by import string) from the same settings. Nothing that matters lives in
a worker's memory: sessions, login throttling, the signing key and every draft's state are in the database, so
any worker can answer any request and a worker that dies loses nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import Engine

from mentiondesk.core.errors import ConfigError
from mentiondesk.web.users import ensure_demo_user
from storage.db import transaction

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = "mentiondesk.web.serve:desk_from_environment"
# The CLI's -v, for worker processes (they start afresh and configure their own logging).
VERBOSE_ENV = "MENTIONDESK_SERVE_VERBOSE"


def serve_desk(engine: Engine, brands: Any, settings: Any, host: str, port: int, *, workers: int = 1) -> None:
    """Serve until interrupted. uvicorn's records go to the CLI's handler (log_config=None), so they pass the
    same secret redaction and follow MENTIONDESK_LOG_LEVEL (access lines from INFO). `workers` > 1: that many
    processes, each building the app from the environment (the schema is already upgraded by the caller)."""
    import uvicorn

    from mentiondesk.web.app import create_app

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,
        "proxy_headers": False,
        # No lifespan events are used; with them on, Ctrl-C makes uvicorn log a CancelledError traceback.
        "lifespan": "off",
    }
    # uvicorn re-raises the Ctrl-C it already handled by shutting down cleanly.
    with contextlib.suppress(KeyboardInterrupt):
        if workers > 1:
            if logging.getLogger().getEffectiveLevel() <= logging.DEBUG:
                os.environ[VERBOSE_ENV] = "1"
            uvicorn.run(FACTORY, factory=True, workers=workers, **options)
        else:
            uvicorn.run(create_app(engine, brands, settings), **options)
    click.echo("Stopped.", err=True)


def desk_from_environment() -> FastAPI:
    """The app factory each worker process calls: settings, database and brand file as `mentiondesk serve`
    read them (the same environment and working directory), logging redacted as in the CLI."""
    from mentiondesk.app import App
    from mentiondesk.logs import configure
    from mentiondesk.web.app import create_app

    configure(verbose=os.environ.get(VERBOSE_ENV) == "1")
    app = App.open()
    return create_app(app.engine, app.brands, app.settings)


def check_port_free(host: str, port: int) -> None:
    """Refuse, before printing any address or login, a port another process (another desk) listens on."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(
                f"cannot serve the desk on {host}:{port}: {exc.strerror or exc} (is another desk running? "
                "choose another port with --port)",
                key="MENTIONDESK_PORT",
            ) from None


def serve_demo(app: Any, *, host: str, port: int) -> None:
    """For `mentiondesk demo`: a fresh demo login, the address, then the desk."""
    check_port_free(host, port)
    with transaction(app.engine) as session:
        name, password = ensure_demo_user(session)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo("")
    click.echo(f"Web desk: http://{shown}:{port}/   (Ctrl-C to stop)")
    click.echo(f"Demo login: {name} / {password}   (a manager; fresh password each run)")
    serve_desk(app.engine, app.brands, app.settings, host, port)


__all__ = ["check_port_free", "desk_from_environment", "ensure_demo_user", "serve_demo", "serve_desk"]
