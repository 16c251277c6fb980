"""`mentiondesk run` checks the alert rules on its schedule: a source that starts failing while the service
runs reaches the brand's webhook once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from mentiondesk.alerts.check import check_alerts
from mentiondesk.pipeline import Pipeline
from mentiondesk.service import Intervals, Service
from tests.test_alerts import SETTINGS, FailingPlatform, Receiver, brands_with
from tests.test_service import wait_for

if TYPE_CHECKING:
    from rules.classifier import Classifier


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_the_service_checks_alerts_on_its_schedule(engine: Engine, classifier: Classifier, receiver: Receiver) -> None:
    brands = brands_with(f'webhook_url = "{receiver.url}"\n')
    source = FailingPlatform()
    source.down = True
    service = Service(
        engine=engine,
        pipeline=Pipeline(engine=engine, brands=brands, classifier=classifier),
        sources=[source],
        senders={},
        intervals=Intervals(poll_seconds=1, send_seconds=1, housekeeping_seconds=1, alert_seconds=1),
        check_alerts=lambda: check_alerts(engine, brands, SETTINGS),
    )
    runner = threading.Thread(target=service.run, kwargs={"install_signals": False})
    runner.start()
    try:
        assert wait_for(lambda: any(b["rule"] == "source" for b in receiver.bodies())), "health alert sent"
        first = [b for b in receiver.bodies() if b["rule"] == "source"]
        time.sleep(3)  # a few more rounds of polling (still failing) and of checking
    finally:
        service.stop()
        runner.join(timeout=30)
    assert [b for b in receiver.bodies() if b["rule"] == "source"] == first
    assert first[0]["trigger"]["source"] == "list:failing"
