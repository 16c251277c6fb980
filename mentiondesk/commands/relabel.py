from __future__ import annotations

import getpass

import click

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from responders import queue as desk
from storage.db import transaction


@click.command(name="relabel")
@click.argument("mention_id", type=int)
@click.argument("label", type=click.Choice(list(desk.LABELS)))
@click.option("--as", "actor", help="Who corrects it (default: your login name).")
@click.option("--json", "as_json", is_flag=True)
def command(mention_id: int, label: str, actor: str | None, as_json: bool) -> None:
    """Correct a mention's category; `mentiondesk train --from-desk` learns from these corrections."""
    app = App.open()
    with transaction(app.engine) as session:
        mention = desk.relabel(mention_id, session=session, actor=actor or getpass.getuser(), label=label)
        result = {"mention": mention.id, "label": mention.label}
    emit_json(result) if as_json else click.echo(f"mention {mention_id} is now {label}")
