from __future__ import annotations

import getpass

import click
from sqlmodel import col, select

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from responders import queue as desk
from storage.db import transaction
from storage.models import Draft, DraftState


@click.command(name="relabel")
@click.argument("mention_id", type=int)
@click.argument("label", type=click.Choice(list(desk.LABELS)))
@click.option("--as", "actor", help="Who corrects it (default: your login name).")
@click.option("--keep-edit", is_flag=True, help="Keep a reply text someone edited instead of writing it again.")
@click.option("--json", "as_json", is_flag=True)
def command(mention_id: int, label: str, actor: str | None, keep_edit: bool, as_json: bool) -> None:
    """Correct a mention's category: sentiment and urgency follow it, its open draft is written again for the
    new category (an edited one only with --keep-edit), and `mentiondesk train --from-desk` learns from it."""
    app = App.open()
    brands = app.brands.brands
    with transaction(app.engine) as session:
        mention = desk.relabel(
            mention_id,
            session=session,
            actor=actor or getpass.getuser(),
            label=label,
            brands=brands,
            keep_edit=keep_edit,
        )
        draft = session.exec(select(Draft).where(Draft.mention_id == mention_id).order_by(col(Draft.id).desc())).first()
        result = {
            "mention": mention.id,
            "label": mention.label,
            "sentiment": mention.sentiment,
            "urgency": mention.urgency,
            "urgency_reason": mention.urgency_reason,
            "draft": None if draft is None else {"id": draft.id, "state": draft.state, "text": draft.text},
        }
    if as_json:
        emit_json(result)
        return
    click.echo(f"mention {mention_id} is now {label} (urgency {result['urgency']})")
    if draft is not None and draft.state in (DraftState.DRAFTED, DraftState.FAILED):
        click.echo(f"draft {draft.id}: {draft.text}")
