"""Prometheus metrics for `/metrics`, read from the database at scrape time.

Nothing is counted in a process's memory: every web worker (and every host) answers a scrape with the same
figures, and a restart loses none of them. Stored totals are gauges, not counters: retention and erasure delete
rows, and a counter that goes down would read as a reset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from mentiondesk.core.vocabulary import DraftState, SourceHealth
from storage.models import AuditEvent, Draft, Mention, ReplyLedger, SourceState, as_utc, utcnow

REVIEW_STATES = (DraftState.DRAFTED,)  # waiting for a person
SEND_STATES = (DraftState.APPROVED, DraftState.SENDING, DraftState.UNKNOWN)  # waiting for a sender
FAILED_SEND_ACTIONS = ("send_failed", "send_unknown")


class DeskCollector(Collector):
    """Collects every figure in one short read-only session per scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        with Session(self.engine) as session:
            now = utcnow()
            yield _mentions(session)
            yield _drafts(session)
            yield from _queues(session, now)
            yield from _sends(session)
            yield from _sources(session, now)


def _mentions(session: Session) -> Metric:
    family = GaugeMetricFamily("mentiondesk_mentions_stored", "Mentions stored", labels=["brand", "platform"])
    rows = session.exec(
        select(Mention.brand, Mention.platform, func.count()).group_by(col(Mention.brand), col(Mention.platform))
    )
    for brand, platform, count in rows:
        family.add_metric([brand, platform], count)
    return family


def _drafts(session: Session) -> Metric:
    family = GaugeMetricFamily("mentiondesk_drafts", "Drafts by state", labels=["state"])
    counts = dict(session.exec(select(Draft.state, func.count()).group_by(col(Draft.state))).all())
    for state in DraftState:
        family.add_metric([state.value], counts.get(state, 0))
    return family


def _queues(session: Session, now: datetime) -> Iterator[Metric]:
    depth = GaugeMetricFamily(
        "mentiondesk_queue_depth", "Drafts waiting: review (for a person), send (for a sender)", labels=["queue"]
    )
    oldest = GaugeMetricFamily(
        "mentiondesk_queue_oldest_age_seconds", "How long the oldest waiting draft has waited", labels=["queue"]
    )
    for queue, states, since in (
        ("review", REVIEW_STATES, col(Draft.created_at)),
        ("send", SEND_STATES, col(Draft.updated_at)),
    ):
        count, first = session.exec(
            select(func.count(), func.min(since)).where(col(Draft.state).in_([s.value for s in states]))
        ).one()
        depth.add_metric([queue], count)
        oldest.add_metric([queue], max(0.0, (now - as_utc(first)).total_seconds()) if first is not None else 0.0)
    yield depth
    yield oldest


def _sends(session: Session) -> Iterator[Metric]:
    sent = GaugeMetricFamily(
        "mentiondesk_replies_sent", "Replies posted, on the reply-once ledger", labels=["platform"]
    )
    rows = session.exec(
        select(ReplyLedger.platform, func.count())
        .where(col(ReplyLedger.posted_at).is_not(None))
        .group_by(col(ReplyLedger.platform))
    )
    for platform, count in rows:
        sent.add_metric([platform], count)
    yield sent
    failures = GaugeMetricFamily(
        "mentiondesk_send_failures",
        "Send attempts the platform refused (failed) or left without an answer (unknown), from the audit",
        labels=["outcome"],
    )
    counts = dict(
        session.exec(
            select(AuditEvent.action, func.count())
            .where(col(AuditEvent.action).in_(FAILED_SEND_ACTIONS))
            .group_by(col(AuditEvent.action))
        ).all()
    )
    for action in FAILED_SEND_ACTIONS:
        failures.add_metric([action.removeprefix("send_")], counts.get(action, 0))
    yield failures


def _sources(session: Session, now: datetime) -> Iterator[Metric]:
    labels = ["source", "platform", "brand"]
    health = GaugeMetricFamily(
        "mentiondesk_source_health", "Each source's health: 1 for its current state", labels=[*labels, "health"]
    )
    remaining = GaugeMetricFamily(
        "mentiondesk_source_requests_remaining", "Requests left in the platform's current window", labels=labels
    )
    since_ok = GaugeMetricFamily(
        "mentiondesk_source_seconds_since_ok", "Seconds since the source's last successful poll", labels=labels
    )
    failures = GaugeMetricFamily("mentiondesk_source_consecutive_failures", "Failed polls in a row", labels=labels)
    spend = GaugeMetricFamily(
        "mentiondesk_source_spend_usd",
        "What the source's reads cost so far this calendar month (UTC), priced with the price card",
        labels=labels,
    )
    month = now.strftime("%Y-%m")
    for state in session.exec(select(SourceState).order_by(col(SourceState.name))):
        key = [state.name, state.platform, state.brand]
        for value in SourceHealth:
            health.add_metric([*key, value.value], 1 if state.health == value else 0)
        if state.requests_remaining is not None:
            remaining.add_metric(key, state.requests_remaining)
        if state.last_ok_at is not None:
            since_ok.add_metric(key, max(0.0, (now - as_utc(state.last_ok_at)).total_seconds()))
        failures.add_metric(key, state.consecutive_failures)
        spend.add_metric(key, state.spend_usd if state.spend_month == month else 0.0)
    yield from (health, remaining, since_ok, failures, spend)
