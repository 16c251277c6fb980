"""The alert rules. Each reads the database as of `now` and returns the alerts due, updating its state row
(alert_state: cooldowns, conditions still going on, how far it has looked) in the caller's transaction, so an
alert is due once even when two checks run at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.core.business_hours import breach_at
from mentiondesk.core.durations import minutes_label
from mentiondesk.core.vocabulary import DraftState, FoundVia, Route, Sentiment, SourceHealth
from storage.db import insert_if_absent
from storage.models import AlertState, Draft, Mention, SourceState, as_utc

# How far a rule looks back the first time it runs on a database: older events are history, not news.
FIRST_LOOK = timedelta(hours=1)
LISTED = 10  # mentions named in one alert's body
BASELINE_DAYS = 7


@dataclass
class Due:
    rule: str
    title: str
    body: str
    trigger: dict[str, Any] = field(default_factory=dict)
    # Mentions the body quotes (handle, text): erasing one of them erases it from the stored alert.
    mentions: list[int] = field(default_factory=list)


def state(session: Session, brand: str, rule: str) -> AlertState:
    """The rule's state row, created if absent and locked for this transaction (PostgreSQL: FOR UPDATE;
    SQLite: the insert already took the write lock)."""
    insert_if_absent(AlertState, {"brand": brand, "rule": rule, "active": False}, session=session)
    row = session.exec(
        select(AlertState).where(AlertState.brand == brand, AlertState.rule == rule).with_for_update()
    ).one()
    return row


def _since(row: AlertState, now: datetime) -> datetime:
    return as_utc(row.watermark) if row.watermark else now - FIRST_LOOK


def _one_line(text: str, width: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# --- escalations ------------------------------------------------------------------------------------


def escalations(session: Session, brand: Brand, now: datetime) -> list[Due]:
    """Urgent mentions (routed to escalation) stored since the last check: one alert naming them."""
    row = state(session, brand.key, "escalation")
    since = _since(row, now)
    where: list[Any] = [
        col(Mention.brand) == brand.key,
        col(Mention.route) == Route.ESCALATE,
        col(Mention.fetched_at) > since,
        col(Mention.fetched_at) <= now,
    ]
    total = int(session.exec(select(func.count()).select_from(Mention).where(*where)).one())
    row.watermark = now
    session.add(row)
    if not total:
        return []
    urgent = list(session.exec(select(Mention).where(*where).order_by(col(Mention.urgency).desc()).limit(LISTED)))
    row.last_sent_at = now
    lines = [f"- urgency {m.urgency} @{m.author_handle} on {m.platform}: {_one_line(m.text)}" for m in urgent]
    if total > len(urgent):
        lines.append(f"- … and {total - len(urgent)} more")
    return [
        Due(
            rule="escalation",
            title=f"{brand.name}: {total} urgent {'mention' if total == 1 else 'mentions'} escalated",
            body="\n".join(lines),
            trigger={"mentions": [m.id for m in urgent], "count": total, "since": since.isoformat()},
            mentions=[m.id for m in urgent if m.id is not None],
        )
    ]


# --- spikes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    total: int
    negative: int

    @property
    def negative_share(self) -> float:
        return self.negative / self.total if self.total else 0.0


def window_counts(session: Session, brand: str, start: datetime, end: datetime) -> Window:
    negative = func.sum(case((col(Mention.sentiment) == Sentiment.NEGATIVE, 1), else_=0))
    total, neg = session.exec(
        select(func.count(), negative).where(
            Mention.brand == brand,
            col(Mention.is_own).is_(False),
            col(Mention.found_via) != FoundVia.COMPETITOR,  # posts about competitors alone are not our volume
            col(Mention.created_at) > start,
            col(Mention.created_at) <= end,
        )
    ).one()
    return Window(total=int(total or 0), negative=int(neg or 0))


def same_hours(
    now: datetime, width: timedelta, zone: str, days: int = BASELINE_DAYS
) -> list[tuple[datetime, datetime]]:
    """The window (now - width, now] at the same clock hours in the brand's time zone on each of the previous
    `days` days, as UTC instants: across a clock change, 12:00 in London is 11:00 UTC one day and 12:00 the
    next, so it is not always 24 hours back. A clock time a change skipped is read with the offset before it."""
    tz = ZoneInfo(zone)
    local_end = as_utc(now).astimezone(tz).replace(tzinfo=None)
    out = []
    for d in range(1, days + 1):
        end = local_end - timedelta(days=d)
        out.append(((end - width).replace(tzinfo=tz).astimezone(UTC), end.replace(tzinfo=tz).astimezone(UTC)))
    return out


def spikes(session: Session, brand: Brand, now: datetime) -> list[Due]:
    """Mention volume, or the negative share, well above the same clock hours (the brand's time zone) of each
    of the previous seven days. One alert for both measures, then quiet for the cooldown."""
    config = brand.alerts
    width = timedelta(minutes=config.spike_window_minutes)
    current = window_counts(session, brand.key, now - width, now)
    if current.total < config.spike_min_count:
        return []  # a quiet hour: no need to look back, or to lock the state row
    windows = same_hours(now, width, brand.time_zone)
    days = [window_counts(session, brand.key, start, end) for start, end in windows]
    usual = sum(w.total for w in days) / BASELINE_DAYS
    usual_negative = sum(w.negative for w in days) / BASELINE_DAYS
    usual_share = usual_negative / usual if usual else 0.0
    reasons = []
    if current.total >= config.spike_factor * max(usual, 1.0):
        reasons.append(
            f"{current.total} mentions in the last {minutes_label(width.total_seconds() / 60)} "
            f"against {usual:.1f} on a usual day at this hour"
        )
    if (
        current.negative >= config.spike_min_count
        and current.negative_share - usual_share >= config.negative_share_rise
    ):
        reasons.append(f"{current.negative_share:.0%} negative against {usual_share:.0%} usually")
    if not reasons:
        return []
    row = state(session, brand.key, "spike")
    cooldown = timedelta(minutes=config.cooldown_minutes)
    if row.last_sent_at is not None and now - as_utc(row.last_sent_at) < cooldown:
        return []
    row.last_sent_at = now
    session.add(row)
    return [
        Due(
            rule="spike",
            title=f"{brand.name}: spike in mentions",
            body="; ".join(reasons),
            trigger={
                "window_minutes": config.spike_window_minutes,
                "mentions": current.total,
                "negative": current.negative,
                "usual_mentions": round(usual, 2),
                "usual_negative_share": round(usual_share, 3),
                "time_zone": brand.time_zone,
                "baseline": [
                    {"from": start.isoformat(), "to": end.isoformat(), "mentions": w.total, "negative": w.negative}
                    for (start, end), w in zip(windows, days, strict=True)
                ],
            },
        )
    ]


# --- source health ----------------------------------------------------------------------------------

_CONDITIONS = {
    "failing": "is failing",
    "access": "was refused access (credentials or access tier)",
    "budget": "has used up its request budget",
    "silent": "has fetched nothing for too long",
}


def _conditions(source: SourceState, brand: Brand, now: datetime) -> dict[str, str]:
    found: dict[str, str] = {}
    if source.health == SourceHealth.FAILING:
        found["failing"] = source.health_message or f"{source.consecutive_failures} failures in a row"
    if source.health == SourceHealth.ACCESS_DENIED:
        found["access"] = source.health_message or "access denied"
    if source.health == SourceHealth.RATE_LIMITED or source.requests_remaining == 0:
        reset = source.rate_limited_until or source.window_reset_at
        until = as_utc(reset) if reset else None
        found["budget"] = f"until {until.isoformat(timespec='minutes')}" if until else "no requests left"
    silent_for = timedelta(minutes=brand.alerts.source_silent_minutes)
    if source.last_ok_at is not None and now - as_utc(source.last_ok_at) > silent_for:
        minutes = (now - as_utc(source.last_ok_at)).total_seconds() / 60
        found["silent"] = f"last successful fetch {minutes_label(minutes)} ago"
    return found


def source_health(session: Session, brand: Brand, now: datetime) -> list[Due]:
    """A source that starts failing, is refused, runs out of budget or goes silent: one alert when the
    condition begins; none while it lasts; it may alert again once it has recovered and fails anew."""
    due = []
    sources = session.exec(select(SourceState).where(SourceState.brand == brand.key).order_by(col(SourceState.name)))
    for source in sources:
        found = _conditions(source, brand, now)
        for condition, what in _CONDITIONS.items():
            key = f"source:{source.name}:{condition}"
            if condition not in found:
                existing = session.get(AlertState, (brand.key, key))
                if existing is not None and existing.active:
                    existing.active = False
                    session.add(existing)
                continue
            row = state(session, brand.key, key)
            if row.active:
                continue
            row.active = True
            row.last_sent_at = now
            session.add(row)
            due.append(
                Due(
                    rule="source",
                    title=f"{brand.name}: source {source.name} {what}",
                    body=found[condition],
                    trigger={
                        "source": source.name,
                        "platform": source.platform,
                        "condition": condition,
                        "health": source.health,
                        "detail": found[condition],
                    },
                )
            )
    return due


# --- response-target breaches -----------------------------------------------------------------------

WAITING = (DraftState.DRAFTED, DraftState.APPROVED, DraftState.FAILED)


def breaches(session: Session, brand: Brand, now: datetime) -> list[Due]:
    """Replies still waiting that went past the brand's response target since the last check."""
    row = state(session, brand.key, "breach")
    since = _since(row, now)
    row.watermark = now
    session.add(row)
    target = timedelta(minutes=brand.response_target_minutes)
    # A breach happens at least `target` after the post (business hours only make it later); a week back
    # covers weekends and holidays between.
    candidates = session.exec(
        select(Draft, Mention)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(
            Draft.brand == brand.key,
            col(Draft.state).in_(WAITING),
            col(Mention.created_at) <= now - target,
            col(Mention.created_at) > since - target - timedelta(days=8),
        )
        .order_by(col(Mention.created_at))
        .limit(2000)
    )
    late = []
    for draft, mention in candidates:
        due_at = breach_at(as_utc(mention.created_at), brand.response_target_minutes, brand.business_hours)
        if since < due_at <= now:
            late.append((draft, mention, due_at))
    if not late:
        return []
    row.last_sent_at = now
    late.sort(key=lambda item: -item[0].urgency)
    lines = [
        f"- draft {d.id} (mention {m.id}) @{m.author_handle} on {m.platform}, urgency {d.urgency}: "
        f"{_one_line(m.text, 100)}"
        for d, m, _ in late[:LISTED]
    ]
    if len(late) > LISTED:
        lines.append(f"- … and {len(late) - LISTED} more")
    return [
        Due(
            rule="breach",
            title=f"{brand.name}: {len(late)} {'reply' if len(late) == 1 else 'replies'} past the "
            f"{minutes_label(brand.response_target_minutes)} response target",
            body="\n".join(lines),
            trigger={
                "drafts": [d.id for d, _, _ in late[:LISTED]],
                "count": len(late),
                "target_minutes": brand.response_target_minutes,
            },
            mentions=[m.id for _, m, _ in late[:LISTED] if m.id is not None],
        )
    ]


def evaluate(session: Session, brand: Brand, now: datetime) -> list[Due]:
    config = brand.alerts
    due: list[Due] = []
    if config.escalations:
        due += escalations(session, brand, now)
    if config.spikes:
        due += spikes(session, brand, now)
    if config.source_health:
        due += source_health(session, brand, now)
    if config.response_breaches:
        due += breaches(session, brand, now)
    return due
