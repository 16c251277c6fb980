"""One alert check: every brand's rules as of now; each alert due is stored (with what triggered it) in the
transaction that moves the rules' state, then delivered to the brand's targets and the outcome stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from mentiondesk.alerts import rules
from mentiondesk.alerts.targets import Message, deliver
from mentiondesk.core.brands import Brand, BrandConfig
from mentiondesk.settings import Settings
from storage.db import transaction
from storage.models import Alert, AlertMention, utcnow

log = logging.getLogger(__name__)


@dataclass
class CheckReport:
    alerts: list[Alert] = field(default_factory=list)

    @property
    def undelivered(self) -> list[tuple[Alert, dict[str, Any]]]:
        return [(alert, d) for alert in self.alerts for d in alert.deliveries if not d["ok"]]

    def as_json(self) -> list[dict[str, Any]]:
        return [describe(alert) for alert in self.alerts]


def describe(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "brand": alert.brand,
        "rule": alert.rule,
        "at": alert.at.isoformat(timespec="seconds"),
        "title": alert.title,
        "body": alert.body,
        "trigger": alert.trigger,
        "deliveries": alert.deliveries,
    }


def check_alerts(
    engine: Engine, brands: BrandConfig, settings: Settings, *, now: datetime | None = None, quiet: bool = False
) -> CheckReport:
    """Evaluate every rule of every brand now and send what is due. Each target that could not be reached is
    logged as a warning (the service's log), unless `quiet` (the CLI prints its own line for each)."""
    now = now or utcnow()
    report = CheckReport()
    for brand in brands.brands.values():
        with transaction(engine) as session:
            stored = [_store(session, brand, due, now) for due in rules.evaluate(session, brand, now)]
        for alert in stored:
            _send(engine, brand, alert, settings)
        report.alerts.extend(stored)
    if not quiet:
        for alert, delivery in report.undelivered:
            log.warning(
                "alert %s (%s) not delivered to %s after %d tries: %s",
                alert.id,
                alert.rule,
                delivery["target"],
                delivery["attempts"],
                delivery["error"],
            )
    return report


def send_test(engine: Engine, brands: BrandConfig, settings: Settings) -> CheckReport:
    """A test alert to each brand's targets (stored like any other, as rule `test`)."""
    now = utcnow()
    report = CheckReport()
    for brand in brands.brands.values():
        if not brand.alerts.has_targets:
            continue
        due = rules.Due(
            rule="test",
            title=f"{brand.name}: test alert from Mention Desk",
            body="If you can read this, alerts for this brand reach you here.",
            trigger={"requested": now.isoformat(timespec="seconds")},
        )
        with transaction(engine) as session:
            alert = _store(session, brand, due, now)
        _send(engine, brand, alert, settings)
        report.alerts.append(alert)
    return report


def _store(session: Any, brand: Brand, due: rules.Due, now: datetime) -> Alert:
    alert = Alert(brand=brand.key, rule=due.rule, at=now, title=due.title[:255], body=due.body, trigger=due.trigger)
    session.add(alert)
    session.flush()
    assert alert.id is not None
    for mention_id in dict.fromkeys(due.mentions):
        session.add(AlertMention(alert_id=alert.id, mention_id=mention_id))
    return alert


def _send(engine: Engine, brand: Brand, alert: Alert, settings: Settings) -> None:
    assert alert.id is not None
    message = Message(
        alert_id=alert.id,
        brand=alert.brand,
        rule=alert.rule,
        title=alert.title,
        body=alert.body,
        at=alert.at.isoformat(timespec="seconds"),
        trigger=alert.trigger,
    )
    deliveries = deliver(message, brand.alerts, settings)
    with transaction(engine) as session:
        row = session.get(Alert, alert.id)
        if row is not None:
            row.deliveries = deliveries
            session.add(row)
    alert.deliveries = deliveries
