from __future__ import annotations

import getpass
from datetime import timedelta
from typing import Any

import click
from sqlmodel import col, select

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from mentiondesk.core.brands import Brand
from mentiondesk.core.business_hours import hours_label, working_minutes
from mentiondesk.core.durations import minutes_label
from mentiondesk.core.errors import NotFound
from mentiondesk.core.vocabulary import Label
from responders import queue as desk
from responders.sending import send_approved
from rules.tagging import normal_tag
from storage.db import transaction
from storage.models import Classification, Draft, DraftState, Mention, as_utc, utcnow
from storage.queries import audit_for, list_queue, tag_in_use


def _actor(name: str | None) -> str:
    return name or getpass.getuser()


def draft_summary(draft: Draft, mention: Mention, brand: Brand | None = None) -> dict[str, Any]:
    """The draft as the CLI shows it; with the brand, its age counts the brand's business hours only."""
    hours = brand.business_hours if brand else None
    age = working_minutes(as_utc(mention.created_at), utcnow(), hours)
    return {
        "id": draft.id,
        "mention_id": draft.mention_id,
        "state": draft.state,
        "category": draft.category,
        "urgency": draft.urgency,
        "urgency_reason": mention.urgency_reason,
        "needs_review": mention.needs_review,
        "review_reason": mention.review_reason,
        "needs_reply": mention.needs_reply,
        "language": mention.language,
        "escalated": draft.escalated,
        "automated": draft.automated,
        "brand": draft.brand,
        "platform": draft.platform,
        "author": mention.author_handle,
        "followers": mention.author_followers,
        "age_minutes": int(age),
        "target_minutes": brand.response_target_minutes if brand else None,
        "breached": age > brand.response_target_minutes if brand else None,
        "business_hours": hours_label(hours) if hours else None,
        "mention": mention.text,
        "reply": draft.text,
        "policy_ok": draft.policy_ok,
        "policy": draft.policy_reasons,
        "version": draft.version,
    }


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.group(name="queue", invoke_without_command=True)
@click.option("--brand")
@click.option("--platform")
@click.option("--category", type=click.Choice([label.value for label in Label]))
@click.option(
    "--state", default="drafted", show_default=True, type=click.Choice([s.value for s in DraftState] + ["all"])
)
@click.option("--min-urgency", type=click.IntRange(0, 100))
@click.option("--tag", help="Only drafts of mentions with this tag.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def command(
    ctx: click.Context,
    brand: str | None,
    platform: str | None,
    category: str | None,
    state: str,
    min_urgency: int | None,
    tag: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List drafted replies, most urgent first, then oldest."""
    if ctx.invoked_subcommand is not None:
        return
    app = App.open()
    if brand:
        app.brands.get(brand)  # an unknown brand is an error, not an empty queue
    tag_name = normal_tag(tag) if tag else None  # a tag nobody could have made is an error naming it
    with transaction(app.engine) as session:
        unused = tag_name is not None and not tag_in_use(tag_name, session=session)
        rows = list_queue(
            session=session,
            brand=brand,
            platform=platform,
            category=category,
            state=None if state == "all" else state,
            min_urgency=min_urgency,
            tag=tag_name,
            limit=limit,
        )
        items = [draft_summary(r.draft, r.mention, app.brands.brands.get(r.draft.brand)) for r in rows]
    if unused:
        click.echo(f"no mention is tagged {tag_name!r}", err=True)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo(f"no drafts of mentions tagged {tag_name!r}" if tag_name else "queue is empty")
        return
    click.echo(
        f"{'DRAFT':>6}  {'MENTION':>7}  {'URG':>3}  {'CATEGORY':<10} {'PLATFORM':<8} {'AGE':>7}  {'AUTHOR':<18} TEXT"
    )
    for item in items:
        flag = "!" if item["escalated"] else " "
        review = "?" if item["needs_review"] else " "
        click.echo(
            f"{item['id']:>6}  {item['mention_id']:>7} {flag}{item['urgency']:>3} {review}{item['category']:<10} "
            f"{item['platform']:<8} {minutes_label(item['age_minutes']) + ('*' if item['breached'] else ''):>7}  "
            f"{_one_line('@' + item['author'], 18):<18} {_one_line(item['mention'], 60)}"
        )
    if any(item["breached"] for item in items):
        click.echo("* past the brand's response target (counted in its business hours, when it sets them)")
    if any(item["needs_review"] for item in items):
        click.echo("? needs review: the classifier is unsure; the draft only acknowledges and offers help")


@command.command(name="show")
@click.argument("draft_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show(draft_id: int, as_json: bool) -> None:
    """Show one draft with its mention, classification and audit trail."""
    app = App.open()
    with transaction(app.engine) as session:
        draft = desk.get_draft(draft_id, session=session)
        mention = session.get(Mention, draft.mention_id)
        if mention is None:
            raise NotFound(f"draft {draft_id} has no mention")
        item = draft_summary(draft, mention, app.brands.brands.get(draft.brand))
        latest = session.exec(
            select(Classification)
            .where(Classification.mention_id == mention.id)
            .order_by(col(Classification.id).desc())
        ).first()
        if latest is not None:
            item["classification"] = {
                "label": latest.label,
                "sentiment": latest.sentiment,
                "confidence": round(latest.confidence, 3),
                "cues": latest.cues,
                "model": latest.model_version,
                "origin": latest.origin,
            }
        events = audit_for(session=session, mention_id=mention.id or 0)
        item["audit"] = [
            {
                "at": e.at.isoformat(timespec="seconds"),
                "actor": e.actor,
                "action": e.action,
                "before": e.before,
                "after": e.after,
                **e.detail,
            }
            for e in events
        ]
    if as_json:
        emit_json(item)
        return
    click.echo(
        f"draft {item['id']} (mention {item['mention_id']}) [{item['state']}] {item['category']} "
        f"urgency {item['urgency']}"
        f"{' ESCALATED' if item['escalated'] else ''} on {item['platform']} for {item['brand']}"
    )
    waited = minutes_label(item["age_minutes"]) + (
        f" in business hours ({item['business_hours']})" if item["business_hours"] else ""
    )
    late = f", past the {minutes_label(item['target_minutes'])} target" if item["breached"] else ""
    click.echo(f"from @{item['author']} ({item['followers']} followers), waiting {waited}{late}:")
    click.echo(f"  {item['mention']!r}")
    if "classification" in item:
        c = item["classification"]
        click.echo(f"classified {c['label']}/{c['sentiment']} at {c['confidence']} by {c['model']} cues {c['cues']}")
    if item["urgency_reason"]:
        click.echo(f"urgent because: {item['urgency_reason']}")
    click.echo(f"reply: {item['reply']}")
    if item["needs_review"] and item["policy_ok"]:
        click.echo(f"NEEDS REVIEW: {item['review_reason'] or 'the classifier is unsure'}; read the mention first")
    else:
        click.echo(f"policy: {'ok' if item['policy_ok'] else 'blocked'} {'; '.join(item['policy'])}")
    for event in item["audit"]:
        click.echo(
            f"  {event['at']} {event['actor']} {event['action']}"
            + (f": {event['before']!r} -> {event['after']!r}" if event.get("before") else "")
        )


@command.command(name="approve")
@click.argument("draft_id", type=int)
@click.option("--text", help="Replace the reply text before approving (the audit keeps both).")
@click.option("--as", "actor", help="Who approves (default: your login name).")
@click.option("--json", "as_json", is_flag=True)
def approve(draft_id: int, text: str | None, actor: str | None, as_json: bool) -> None:
    """Approve a draft, optionally edited."""
    app = App.open()
    with transaction(app.engine) as session:
        draft = desk.approve(draft_id, session=session, actor=_actor(actor), text=text, brands=app.brands.brands)
        result = {"id": draft.id, "state": draft.state, "text": draft.text}
    emit_json(result) if as_json else click.echo(f"approved draft {draft_id}: {result['text']}")


@command.command(name="reject")
@click.argument("draft_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option(
    "--wrong-category",
    type=click.Choice(list(desk.LABELS)),
    help="The mention is really this category (stored as a relabel; the next model learns it).",
)
@click.option("--as", "actor")
@click.option("--json", "as_json", is_flag=True)
def reject(draft_id: int, reason: str, wrong_category: str | None, actor: str | None, as_json: bool) -> None:
    """Reject a draft with a reason."""
    app = App.open()
    with transaction(app.engine) as session:
        draft = desk.reject(draft_id, session=session, actor=_actor(actor), reason=reason, correct_label=wrong_category)
        result = {"id": draft.id, "state": draft.state, "reason": reason}
    emit_json(result) if as_json else click.echo(f"rejected draft {draft_id}: {reason}")


@command.command(name="stop")
@click.argument("draft_id", type=int)
@click.option("--as", "actor")
@click.option("--json", "as_json", is_flag=True)
def stop(draft_id: int, actor: str | None, as_json: bool) -> None:
    """Stop an automated thank-you that is going out (held, or approved and not yet sent)."""
    from responders.holding import stop as stop_held

    app = App.open()
    with transaction(app.engine) as session:
        draft = stop_held(draft_id, session=session, actor=_actor(actor))
        result = {"id": draft.id, "state": draft.state}
    emit_json(result) if as_json else click.echo(f"stopped draft {draft_id}: it will not be sent")


@command.command(name="send")
@click.option("--json", "as_json", is_flag=True)
def send(as_json: bool) -> None:
    """Send every approved draft (each at most once, through the reply-once ledger)."""
    from mentiondesk.platforms import build_senders

    app = App.open()
    report = send_approved(
        engine=app.engine,
        senders=build_senders(app.settings),
        brands=app.brands,
        stale_after=timedelta(seconds=app.settings.send_stale_seconds),
    )
    result = {
        "sent": report.sent,
        "reconciled": report.reconciled,
        "failed": report.failed,
        "blocked": report.blocked,
        "skipped": report.skipped,
        "unknown": report.unknown,
        "held": report.paused,
    }
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"sent {len(report.sent)}, reconciled {len(report.reconciled)}, failed {len(report.failed)}, "
        f"blocked {len(report.blocked)}, outcome unknown {len(report.unknown)}, held {len(report.paused)}"
    )
    for draft_id, why in {**report.failed, **report.blocked, **report.unknown, **report.paused}.items():
        click.echo(f"  draft {draft_id}: {why}", err=True)
