"""The team's commands: write a reply, assign, note, tag (`mentiondesk reply|assign|note|tag ...`)."""

from __future__ import annotations

import getpass

import click

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from mentiondesk.core.local_time import local_iso, local_label, parse_local
from responders import team
from responders.compose import compose
from storage.db import transaction
from storage.models import Case

AS = click.option("--as", "actor", help="Who does it (default: your login name).")
JSON = click.option("--json", "as_json", is_flag=True)


def _actor(name: str | None) -> str:
    return name or getpass.getuser()


@click.command(name="reply")
@click.argument("mention_id", type=int)
@click.option("--text", required=True, help="The reply. It goes through the policy gate and waits for approval.")
@click.option("--saved", "saved_reply_id", type=int, help="The saved reply it was written from (counts its use).")
@AS
@JSON
def reply(mention_id: int, text: str, saved_reply_id: int | None, actor: str | None, as_json: bool) -> None:
    """Write a reply to any mention; it waits in the queue for approval."""
    app = App.open()
    with transaction(app.engine) as session:
        draft = compose(
            mention_id,
            session=session,
            actor=_actor(actor),
            text=text,
            brands=app.brands.brands,
            saved_reply_id=saved_reply_id,
        )
        result = {"draft_id": draft.id, "mention_id": mention_id, "state": draft.state, "text": draft.text}
    if as_json:
        emit_json(result)
        return
    click.echo(f"reply written as draft {result['draft_id']} for mention {mention_id}; it waits for approval")
    click.echo(f"  approve it: mentiondesk queue approve {result['draft_id']}")


@click.command(name="assign")
@click.argument("item_id", type=int)
@click.option("--to", "to", required=True, help="A desk user's name; an empty string takes it back.")
@click.option("--case", "is_case", is_flag=True, help="ITEM_ID is a case id, not a mention id.")
@click.option(
    "--follow-up",
    help="When to get back to the customer: an ISO date and time, in the brand's time zone unless it carries an "
    "offset (2026-12-01T09:30, 2026-12-01T09:30+01:00, 2026-12-01T09:30Z).",
)
@AS
@JSON
def assign(item_id: int, to: str, is_case: bool, follow_up: str | None, actor: str | None, as_json: bool) -> None:
    """Give a mention (with its open case) or a case to a person."""
    app = App.open()
    owner = to.strip() or None
    with transaction(app.engine) as session:
        key = team.brand_of(session=session, case_id=item_id) if is_case else team.brand_of(
            session=session, mention_id=item_id)  # fmt: skip
        brand = app.brands.brands.get(key)
        zone = brand.time_zone if brand else "UTC"
        when = parse_local(follow_up, zone, what="--follow-up") if follow_up else None
        if is_case:
            case = team.assign_case(item_id, session=session, actor=_actor(actor), to=owner, follow_up_at=when)
            result: dict[str, object] = {"case_id": case.id, "assigned_to": case.assigned_to}
            promised = case.follow_up_at
        else:
            mention = team.assign_mention(item_id, session=session, actor=_actor(actor), to=owner, follow_up_at=when)
            result = {"mention_id": mention.id, "case_id": mention.case_id, "assigned_to": mention.assigned_to}
            joined = session.get(Case, mention.case_id) if mention.case_id else None
            promised = joined.follow_up_at if joined else None
        if promised is not None:
            result.update(follow_up_at=local_iso(promised, zone), follow_up_zone=zone)
    what = f"case {item_id}" if is_case else f"mention {item_id}"
    if as_json:
        emit_json(result)
        return
    click.echo(f"{what} assigned to {owner or 'nobody'}")
    if promised is not None:
        click.echo(f"  follow up by {local_label(promised, zone)}")


@click.command(name="note")
@click.argument("item_id", type=int)
@click.option("--text", required=True, help="The note: internal, never sent.")
@click.option("--case", "is_case", is_flag=True, help="ITEM_ID is a case id, not a mention id.")
@AS
@JSON
def note(item_id: int, text: str, is_case: bool, actor: str | None, as_json: bool) -> None:
    """Add an internal note to a mention or a case (shown in the thread and the audit, never sent)."""
    app = App.open()
    with transaction(app.engine) as session:
        kept = team.add_note(
            session=session,
            actor=_actor(actor),
            text=text,
            mention_id=None if is_case else item_id,
            case_id=item_id if is_case else None,
        )
        result = {"note_id": kept.id, "mention_id": kept.mention_id, "case_id": kept.case_id}
    emit_json(result) if as_json else click.echo(f"note {result['note_id']} added")


@click.command(name="tag")
@click.argument("mention_id", type=int)
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Take these tags off instead.")
@AS
@JSON
def tag(mention_id: int, tags: tuple[str, ...], remove: bool, actor: str | None, as_json: bool) -> None:
    """Tag a mention by hand (or --remove tags)."""
    app = App.open()
    with transaction(app.engine) as session:
        change = team.remove_tag if remove else team.add_tag
        done = [change(mention_id, session=session, actor=_actor(actor), tag=t) for t in tags]
        now = team.tags_of([mention_id], session=session).get(mention_id, [])
    if as_json:
        emit_json({"mention_id": mention_id, "tags": now})
        return
    verb = "removed" if remove else "tagged"
    click.echo(f"mention {mention_id}: {verb} {', '.join(done)}; tags now: {', '.join(now) or 'none'}")
