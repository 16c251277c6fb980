"""Alerts sent to a local HTTP receiver: a spike against a quiet week, its cooldown, a source that starts
failing, a receiver answering 500, breaches of the response target. Real pipeline, real database, real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from listener.base import Batch, FetchedMention
from listener.poller import Backoff
from mentiondesk.alerts.check import check_alerts, send_test
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.core.errors import TransientError
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings
from storage.models import Alert, utcnow
from tests.conftest import TEST_BRANDS
from tests.factories import ListSource

if TYPE_CHECKING:
    from rules.classifier import Classifier

SECRET = "hook-secret-42"
COMPLAINTS = [
    "@AcmeCoffee my order never arrived and nobody answers, awful service",
    "@AcmeCoffee the app charged me twice, I want my money back",
    "@AcmeCoffee cold coffee again, terrible, worst store ever",
    "@AcmeCoffee waited 40 minutes for a latte, this is ridiculous",
    "@AcmeCoffee rude staff at the station store, really disappointed",
]


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records every request and answers with `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.status < 300 else b"broken")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """Just enough SMTP on 127.0.0.1 for smtplib to hand over messages, which it keeps as bytes."""

    def __init__(self) -> None:
        import socketserver

        self.messages: list[bytes] = []
        self.recipients: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 test ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        body = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            body += chunk
                        outer.messages.append(body)
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"RCPT":
                        outer.recipients.append(line.decode().split("<", 1)[1].split(">", 1)[0])
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def settings(self) -> Settings:
        return Settings(
            smtp_host="127.0.0.1",
            smtp_port=self.port,
            smtp_starttls=False,
            alert_retry_seconds=0,
            smtp_from="desk@acme.test",
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    server = SmtpReceiver()
    yield server
    server.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def brands_with(alerts: str) -> BrandConfig:
    return parse_brands(TEST_BRANDS + "\n[brands.acme.alerts]\n" + alerts)


SETTINGS = Settings(alert_retry_seconds=0, alert_attempts=3, request_timeout_seconds=5)


def fetched(text: str, created: datetime, number: int, author: str = "") -> FetchedMention:
    return FetchedMention(
        platform="replay",
        external_id=f"a{number}",
        brand="acme",
        text=text,
        author_handle=author or f"customer{number}",
        author_name="",
        created_at=created,
        language="en",
    )


class Store:
    """Mentions into the database the way the service stores them: through the pipeline."""

    def __init__(self, engine: Engine, brands: BrandConfig, classifier: Classifier) -> None:
        self.pipeline = Pipeline(engine=engine, brands=brands, classifier=classifier)
        self.number = 0

    def add(self, mentions: list[tuple[str, datetime]], *, authors: list[str] | None = None) -> None:
        items = []
        for index, (text, created) in enumerate(mentions):
            self.number += 1
            items.append(fetched(text, created, self.number, authors[index] if authors else ""))
        self.number += 1
        self.pipeline.poll(ListSource([sorted(items, key=lambda m: m.created_at)], name=f"list:{self.number}"))

    def quiet_week(self, now: datetime) -> None:
        self.add([(f"@AcmeCoffee nice latte today {d}", now - timedelta(days=d, minutes=20)) for d in range(1, 8)])

    def burst(self, now: datetime, n: int = 15) -> None:
        self.add([(COMPLAINTS[i % len(COMPLAINTS)] + f" #{i}", now - timedelta(minutes=1 + i)) for i in range(n)])


def alerts_of(engine: Engine, rule: str) -> list[Alert]:
    with Session(engine) as session:
        return list(session.exec(select(Alert).where(Alert.rule == rule)))


def test_a_burst_against_a_quiet_week_sends_one_spike_alert_then_the_cooldown_holds(
    any_engine: Engine, classifier: Classifier, receiver: Receiver
) -> None:
    brands = brands_with(f'webhook_url = "{receiver.url}"\nwebhook_secret = "{SECRET}"\n')
    store = Store(any_engine, brands, classifier)
    now = utcnow()
    store.quiet_week(now)
    assert check_alerts(any_engine, brands, SETTINGS).alerts == []
    assert receiver.requests == []

    store.burst(now)
    report = check_alerts(any_engine, brands, SETTINGS)
    spikes = [body for body in receiver.bodies() if body["rule"] == "spike"]
    assert len(spikes) == 1
    assert spikes[0]["brand"] == "acme" and spikes[0]["trigger"]["mentions"] == 15
    assert spikes[0]["trigger"]["usual_mentions"] == 1.0
    assert "15 mentions in the last 1h" in spikes[0]["body"]
    headers, body = next((h, b) for h, b in receiver.requests if json.loads(b)["rule"] == "spike")
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-MentionDesk-Signature"] == expected
    assert [a.deliveries for a in report.alerts if a.rule == "spike"] == [
        [{"target": "webhook", "ok": True, "attempts": 1, "error": ""}]
    ]

    # A second burst inside the cooldown: nothing new goes out for it.
    store.burst(now + timedelta(minutes=5))
    check_alerts(any_engine, brands, SETTINGS, now=utcnow() + timedelta(minutes=5))
    assert len([b for b in receiver.bodies() if b["rule"] == "spike"]) == 1
    assert len(alerts_of(any_engine, "spike")) == 1


def test_the_cooldown_ends(any_engine: Engine, classifier: Classifier, receiver: Receiver) -> None:
    brands = brands_with(f'webhook_url = "{receiver.url}"\ncooldown_minutes = 10\nspike_window_minutes = 30\n')
    store = Store(any_engine, brands, classifier)
    now = utcnow()
    store.quiet_week(now)
    store.burst(now, n=12)
    check_alerts(any_engine, brands, SETTINGS, now=now)
    later = now + timedelta(minutes=25)
    store.burst(later, n=12)
    check_alerts(any_engine, brands, SETTINGS, now=later)
    assert len([b for b in receiver.bodies() if b["rule"] == "spike"]) == 2


class FailingPlatform:
    """Stands in for a platform whose API starts answering 503 (the poller sees the adapter's error)."""

    platform = "replay"
    brand = "acme"
    name = "list:failing"

    def __init__(self) -> None:
        self.down = False

    def fetch(self, cursor: str | None) -> Batch:
        if self.down:
            raise TransientError("HTTP 503 from the platform", platform="replay")
        return Batch(mentions=[], cursor=cursor or "0")


def test_a_source_that_starts_failing_sends_one_health_alert(
    any_engine: Engine, classifier: Classifier, receiver: Receiver
) -> None:
    brands = brands_with(f'webhook_url = "{receiver.url}"\n')
    pipeline = Pipeline(engine=any_engine, brands=brands, classifier=classifier)
    source = FailingPlatform()
    no_retry = Backoff(retries=0, base_seconds=0)
    pipeline.poll(source, backoff=no_retry)
    check_alerts(any_engine, brands, SETTINGS)
    assert receiver.requests == []
    source.down = True
    for _ in range(3):
        pipeline.poll(source, backoff=no_retry)
        check_alerts(any_engine, brands, SETTINGS)
    health = [b for b in receiver.bodies() if b["rule"] == "source"]
    assert len(health) == 1
    assert health[0]["trigger"]["source"] == "list:failing" and health[0]["trigger"]["condition"] == "failing"
    assert "HTTP 503" in health[0]["body"]


def test_a_receiver_answering_500_is_retried_and_reported_and_blocks_nothing(
    engine: Engine, classifier: Classifier, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Receiver(status=500)
    try:
        brands = brands_with(f'webhook_url = "{broken.url}"\nslack_webhook_url = "{receiver.url}"\n')
        store = Store(engine, brands, classifier)
        now = utcnow()
        store.quiet_week(now)
        store.burst(now)
        report = check_alerts(engine, brands, SETTINGS)
        spike = next(a for a in report.alerts if a.rule == "spike")
        assert spike.deliveries == [
            {"target": "webhook", "ok": False, "attempts": 3, "error": "HTTP 500"},
            {"target": "slack", "ok": True, "attempts": 1, "error": ""},
        ]
        assert len([b for _, b in broken.requests if json.loads(b)["rule"] == "spike"]) == 3
        warnings = [
            r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "not delivered" in r.getMessage()
        ]
        assert warnings == [f"alert {spike.id} (spike) not delivered to webhook after 3 tries: HTTP 500"]
        slack = [json.loads(b)["text"] for _, b in receiver.requests]
        assert any(text.startswith("*Acme Coffee: spike in mentions*") for text in slack)
        with Session(engine) as session:
            stored = session.get(Alert, spike.id)
            assert stored is not None and stored.deliveries[0]["error"] == "HTTP 500"
    finally:
        broken.close()


def test_an_unreachable_target_is_reported(engine: Engine, classifier: Classifier) -> None:
    brands = brands_with('webhook_url = "http://127.0.0.1:9/hook"\n')
    report = send_test(engine, brands, SETTINGS)
    assert [a.deliveries[0]["ok"] for a in report.alerts] == [False]
    assert "could not reach" in report.alerts[0].deliveries[0]["error"]


def test_replies_past_the_response_target_alert_once(any_engine: Engine, classifier: Classifier, receiver: Receiver):
    brands = brands_with(f'webhook_url = "{receiver.url}"\nspikes = false\nescalations = false\n')
    store = Store(any_engine, brands, classifier)
    now = utcnow()
    store.add([("@AcmeCoffee where is my refund? three weeks now", now - timedelta(minutes=50))])
    check_alerts(any_engine, brands, SETTINGS, now=now)
    assert [b for b in receiver.bodies() if b["rule"] == "breach"] == []
    check_alerts(any_engine, brands, SETTINGS, now=now + timedelta(minutes=15))
    check_alerts(any_engine, brands, SETTINGS, now=now + timedelta(minutes=30))
    breaches = [b for b in receiver.bodies() if b["rule"] == "breach"]
    assert len(breaches) == 1 and breaches[0]["trigger"]["count"] == 1
    assert "past the 1h response target" in breaches[0]["title"]


def test_escalations_are_sent_once(engine: Engine, classifier: Classifier, receiver: Receiver) -> None:
    brands = brands_with(f'webhook_url = "{receiver.url}"\nspikes = false\nresponse_breaches = false\n')
    store = Store(engine, brands, classifier)
    now = datetime.now(UTC)
    store.add([("@AcmeCoffee there was glass in my sandwich, my kid cut his mouth, calling my lawyer", now)])
    check_alerts(engine, brands, SETTINGS)
    check_alerts(engine, brands, SETTINGS)
    escalations = [b for b in receiver.bodies() if b["rule"] == "escalation"]
    assert len(escalations) == 1 and "glass in my sandwich" in escalations[0]["body"]


def test_alerts_commands_report_each_target(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, receiver: Receiver):
    from click.testing import CliRunner

    from mentiondesk.cli import main
    from mentiondesk.settings import get_settings

    broken = Receiver(status=500)
    try:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("MENTIONDESK_ALERT_RETRY_SECONDS", "0")
        monkeypatch.setenv("MENTIONDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
        (tmp_path / "brands.toml").write_text(
            TEST_BRANDS
            + f'\n[brands.acme.alerts]\nwebhook_url = "{receiver.url}"\nslack_webhook_url = "{broken.url}"\n'
        )
        get_settings.cache_clear()
        runner = CliRunner()
        sent = runner.invoke(main, ["alerts", "test"])
        assert sent.exit_code == 1
        assert "webhook ok" in sent.output and "slack FAILED after 3 tries (HTTP 500)" in sent.output
        assert [b["rule"] for b in receiver.bodies()] == ["test"]
        quiet = runner.invoke(main, ["alerts", "check", "--json"])
        assert quiet.exit_code == 0 and json.loads(quiet.output) == []
    finally:
        broken.close()
        get_settings.cache_clear()


def test_forgetting_an_author_erases_them_from_stored_alerts(
    any_engine: Engine, classifier: Classifier, receiver: Receiver
) -> None:
    from storage.db import transaction
    from storage.lifecycle import forget_author

    brands = brands_with(f'webhook_url = "{receiver.url}"\nspikes = false\nresponse_breaches = false\n')
    store = Store(any_engine, brands, classifier)
    urgent = "@AcmeCoffee there was glass in my sandwich, my kid cut his mouth, calling my lawyer"
    store.add([(urgent, utcnow())], authors=["glass_victim"])
    report = check_alerts(any_engine, brands, SETTINGS)
    alert_id = next(a.id for a in report.alerts if a.rule == "escalation")
    with Session(any_engine) as session:
        before = session.get(Alert, alert_id)
        assert before is not None and "@glass_victim" in before.body
    with transaction(any_engine) as session:
        forget_author("replay", "glass_victim", session=session, actor="dpo")
    with Session(any_engine) as session:
        after = session.get(Alert, alert_id)
        assert after is not None and "glass_victim" not in after.body and "glass" not in after.body
        assert after.title == before.title and "erased" in after.body


def test_alerts_by_email(engine: Engine, smtp: SmtpReceiver) -> None:
    from email import message_from_bytes

    brands = brands_with('email_to = ["social@acme.test", "lead@acme.test"]\n')
    report = send_test(engine, brands, smtp.settings())
    assert report.alerts[0].deliveries == [{"target": "email", "ok": True, "attempts": 1, "error": ""}]
    assert smtp.recipients == ["social@acme.test", "lead@acme.test"]
    mail = message_from_bytes(smtp.messages[0])
    assert mail["Subject"] == "[Mention Desk] Acme Coffee: test alert from Mention Desk"
    assert mail["From"] == "desk@acme.test"
