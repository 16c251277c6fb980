"""Running the desk with uvicorn: `mentiondesk serve` and `mentiondesk demo`."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import click
from sqlalchemy import Engine

from mentiondesk.core.errors import ConfigError
from mentiondesk.web.users import ensure_demo_user
from storage.db import transaction


def serve_desk(engine: Engine, brands: Any, settings: Any, host: str, port: int) -> None:
    """Serve until interrupted. uvicorn's records go to the CLI's handler (log_config=None), so they pass the
    same secret redaction and follow MENTIONDESK_LOG_LEVEL (access lines from INFO)."""
    import uvicorn

    from mentiondesk.web.app import create_app

    app = create_app(engine, brands, settings)
    # uvicorn re-raises the Ctrl-C it already handled by shutting down cleanly. No lifespan events are used;
    # with them on, Ctrl-C makes uvicorn log a CancelledError traceback.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(app, host=host, port=port, log_config=None, proxy_headers=False, lifespan="off")
    click.echo("Stopped.", err=True)


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


__all__ = ["check_port_free", "ensure_demo_user", "serve_demo", "serve_desk"]
