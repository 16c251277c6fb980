"""The alert list in headless Chromium after a spike: what fired, why, and which target took it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

from mentiondesk.alerts.check import check_alerts
from mentiondesk.settings import Settings
from storage.db import make_engine, transaction, upgrade
from storage.models import utcnow
from tests.browser import NEEDS_CHROMIUM, PASSWORD, SCREENSHOTS, login, served
from tests.test_alerts import SETTINGS, Receiver, Store, brands_with

if TYPE_CHECKING:
    from rules.classifier import Classifier

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def desk_after_a_spike(tmp_path: Path, classifier: Classifier) -> Iterator[str]:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.users import add_user

    receiver, broken = Receiver(), Receiver(status=500)
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    upgrade(engine)
    brands = brands_with(f'webhook_url = "{receiver.url}"\nslack_webhook_url = "{broken.url}"\n')
    store = Store(engine, brands, classifier)
    now = utcnow()
    store.quiet_week(now)
    store.burst(now)
    check_alerts(engine, brands, SETTINGS)
    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
    app = create_app(engine, brands, Settings(secret_key=SecretStr("test-secret-key")))
    with served(app) as base:
        yield base
    receiver.close()
    broken.close()
    engine.dispose()


def test_the_alert_list_after_a_spike(desk_after_a_spike: str, page: Any) -> None:
    base = desk_after_a_spike
    login(page, base)
    page.click("nav >> text=Alerts")
    page.wait_for_url(f"{base}/alerts")
    spike = page.locator("tr.rule-spike")
    assert spike.count() == 1
    assert "Acme Coffee: spike in mentions" in spike.locator(".alert-title").inner_text()
    trigger = spike.locator(".trigger").inner_text()
    assert "mentions 15" in trigger and "usual_mentions 1.0" in trigger
    delivered = spike.locator(".deliveries").inner_text()
    assert "webhook: ✓ sent" in delivered and "slack: ✕ failed after 3 tries (HTTP 500)" in delivered
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "alerts.png"), full_page=True)
    page.select_option("select[name=rule]", "spike")
    page.click("form.filters button")
    assert page.locator("tr.alert-row").count() == 1
