from __future__ import annotations

import click

from mentiondesk.app import App
from mentiondesk.settings import get_settings


@click.command(name="serve")
@click.option("--host", default=None, help="Address to listen on (default MENTIONDESK_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default MENTIONDESK_PORT, 8000).")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes on the one address; they share everything through the database.",
)
def command(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web desk. Create an account first: `mentiondesk user add NAME --role manager`."""
    from mentiondesk.web.serve import check_port_free, serve_desk

    settings = get_settings()
    app = App.open(settings)
    brands = app.brands  # a broken brand file fails here, before any address is printed
    host = host or settings.host
    port = port or settings.port
    check_port_free(host, port)
    on = f", {workers} workers" if workers > 1 else ""
    click.echo(f"Web desk: http://{host}:{port}/{on}   (Ctrl-C to stop)", err=True)
    serve_desk(app.engine, brands, settings, host, port, workers=workers)
