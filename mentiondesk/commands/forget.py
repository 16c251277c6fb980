from __future__ import annotations

import getpass

import click

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from mentiondesk.core.errors import InputError
from storage.db import transaction
from storage.lifecycle import forget_author


@click.command(name="forget")
@click.option("--platform", required=True, help="The platform the author posts on, as `mentiondesk sources` names it.")
@click.option("--author", "handle", required=True, help="Their handle, with or without @ or u/.")
@click.option("--as", "actor", help="Who asked for the erasure to be done (default: your login name).")
@click.option("--json", "as_json", is_flag=True)
def command(platform: str, handle: str, actor: str | None, as_json: bool) -> None:
    """Erase an author's mentions, drafts, cases and audit entries. An opt-out survives as a hash."""
    app = App.open()
    with transaction(app.engine) as session:
        erased = forget_author(platform.strip().lower(), handle, session=session, actor=actor or getpass.getuser())
    if erased.held:
        raise InputError(
            f"{len(erased.held)} of this author's replies are being sent right now; nothing was erased. "
            "Try again in a few minutes."
        )
    if as_json:
        emit_json({"platform": platform, **erased.counts()})
        return
    if not erased.mentions and not erased.authors:
        click.echo(f"nothing stored for that author on {platform}")
        return
    parts = ", ".join(f"{n} {name}" for name, n in erased.counts().items() if n)
    click.echo(f"erased from {platform}: {parts}; the audit records the erasure without the text")
