"""Response targets in business hours: a complaint posted late on Friday is not late over the weekend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mentiondesk.alerts.check import check_alerts
from mentiondesk.core.brands import BusinessHours, parse_brands
from mentiondesk.core.business_hours import breach_at, hours_label, working_minutes
from mentiondesk.core.errors import ConfigError
from mentiondesk.web.queries import queue_items
from storage.models import Draft, Mention
from tests.conftest import TEST_BRANDS
from tests.test_alerts import SETTINGS, Receiver, Store

if TYPE_CHECKING:
    from rules.classifier import Classifier

LONDON = BusinessHours.model_validate({"hours": "09:00-17:00", "timezone": "Europe/London"})
FRIDAY_LATE = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # London is on UTC in November
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


def test_the_clock_stops_outside_business_hours() -> None:
    assert working_minutes(FRIDAY_LATE, MONDAY + timedelta(hours=9, minutes=20), LONDON) == 50
    assert breach_at(FRIDAY_LATE, 60, LONDON) == MONDAY + timedelta(hours=9, minutes=30)
    assert breach_at(FRIDAY_LATE, 60, None) == FRIDAY_LATE + timedelta(hours=1)
    saturday = datetime(2026, 11, 28, 11, tzinfo=UTC)
    assert breach_at(saturday, 30, LONDON) == MONDAY + timedelta(hours=9, minutes=30)
    assert hours_label(LONDON) == "Mon-Fri 09:00-17:00 Europe/London"


def test_business_hours_follow_the_brands_time_zone_across_a_clock_change() -> None:
    # London leaves summer time on Sunday 25 October 2026: 09:00 local is 08:00 UTC before, 09:00 UTC after.
    friday = datetime(2026, 10, 23, 15, 30, tzinfo=UTC)  # 16:30 in London
    assert breach_at(friday, 60, LONDON) == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)
    assert working_minutes(datetime(2026, 10, 22, 8, tzinfo=UTC), datetime(2026, 10, 22, 9, tzinfo=UTC), LONDON) == 60


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('hours = "17:00-09:00"', "open before they close"),
        ("days = []", "at least one working day"),
        ('days = ["mon", "someday"]', "someday"),
        ('timezone = "Mars/Olympus"', "unknown time zone"),
    ],
)
def test_wrong_business_hours_are_refused_with_their_key(table: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_brands(TEST_BRANDS + f"\n[brands.acme.business_hours]\n{table}\n", path="brands.toml")
    assert "brands.acme.business_hours" in str(caught.value) and says in str(caught.value)


def test_the_queue_and_breach_alerts_count_business_hours(engine: Engine, classifier: Classifier) -> None:
    receiver = Receiver()
    try:
        brands = parse_brands(
            TEST_BRANDS
            + '\n[brands.acme.business_hours]\nhours = "09:00-17:00"\ntimezone = "Europe/London"\n'
            + f'\n[brands.acme.alerts]\nwebhook_url = "{receiver.url}"\nspikes = false\nescalations = false\n'
        )
        Store(engine, brands, classifier).add([("@AcmeCoffee where is my refund? three weeks now", FRIDAY_LATE)])
        with Session(engine) as session:
            rows = list(session.exec(select(Draft, Mention).join(Mention, col(Mention.id) == Draft.mention_id)))
            monday_morning = queue_items(session, rows, brands.brands, now=MONDAY + timedelta(hours=9, minutes=20))
        assert [(round(i.age_minutes), i.breached) for i in monday_morning] == [(50, False)]
        assert monday_morning[0].hours_label == "Mon-Fri 09:00-17:00 Europe/London"

        check_alerts(engine, brands, SETTINGS, now=MONDAY + timedelta(hours=9, minutes=20))
        assert [b for b in receiver.bodies() if b["rule"] == "breach"] == []
        check_alerts(engine, brands, SETTINGS, now=MONDAY + timedelta(hours=9, minutes=35))
        assert [b["trigger"]["count"] for b in receiver.bodies() if b["rule"] == "breach"] == [1]
    finally:
        receiver.close()
