"""What runs the desk sees: /healthz, /readyz (database and schema), /metrics (figures read from the database,
checked against rows made by the real pipeline and send path), and JSON logs that stay redacted."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import Engine, text, update
from sqlmodel import col, select

from listener.replay import OutboxSender
from mentiondesk.core.errors import SendFailed
from mentiondesk.core.values import OutgoingReply, SentReply
from mentiondesk.logs import REDACTOR, JsonFormatter, install_redactor
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings
from responders import queue as desk
from responders.sending import send_approved
from storage.db import make_engine, transaction
from storage.models import Draft, DraftState, SourceState, utcnow
from tests.factories import ListSource, mention, must

ROOT = Path(__file__).resolve().parent.parent


class Refused(OutboxSender):
    """The platform refuses the reply outright (a 403): nothing posted, not retried."""

    def send(self, reply: OutgoingReply) -> SentReply:
        raise SendFailed("403 Forbidden: you cannot reply to this post", retryable=False)


def app_for(engine: Engine, brands: Any) -> Any:
    from mentiondesk.web.app import create_app

    return create_app(engine, brands, Settings(_env_file=None, secret_key=SecretStr("k")))  # type: ignore[call-arg]


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_health_and_readiness(any_engine: Engine, brands: Any) -> None:
    client = TestClient(app_for(any_engine, brands))
    assert client.get("/healthz").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})

    with any_engine.begin() as conn:  # a desk newer than its database: someone forgot `db upgrade`
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert "schema at 0001" in behind.json()["reason"] and "mentiondesk db upgrade" in behind.json()["reason"]
    assert client.get("/healthz").status_code == 200, "alive, though not ready"


def test_readiness_fails_when_the_database_is_away(engine: Engine, brands: Any) -> None:
    app = app_for(engine, brands)
    app.state.desk.engine = make_engine("postgresql://mentiondesk:pw-Kq81z@127.0.0.1:1/desk")  # nothing listens
    client = TestClient(app)
    away = client.get("/readyz")
    assert (away.status_code, away.json()) == (503, {"status": "not ready", "reason": "database unreachable"})
    assert client.get("/metrics").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_metrics_show_what_is_stored(any_engine: Engine, brands: Any, classifier: Any, tmp_path: Path) -> None:
    pipeline = Pipeline(engine=any_engine, brands=brands, classifier=classifier)
    pipeline.poll(
        ListSource(
            [
                [
                    mention("@AcmeCoffee my latte was cold again, not happy", platform="replay"),
                    mention("@AcmeCoffee the app lost my order twice", platform="replay"),
                    mention("@AcmeCoffee why is the store on 5th closed", platform="replay"),
                ]
            ],
            name="replay:acme:mentions",
        )
    )
    with transaction(any_engine) as session:
        drafts = list(session.exec(select(Draft).order_by(col(Draft.id))))
        assert len(drafts) == 3 and all(d.state == DraftState.DRAFTED for d in drafts)
        first, second, _third = (must(d.id) for d in drafts)
        desk.approve(first, session=session, actor="maria")
        desk.approve(second, session=session, actor="maria")
        # the oldest draft waiting for review has waited an hour
        session.execute(update(Draft).where(col(Draft.id) == _third).values(created_at=utcnow() - timedelta(hours=1)))
    assert send_approved(engine=any_engine, senders={"replay": OutboxSender(tmp_path / "ok")}, actor="t").sent
    with transaction(any_engine) as session:
        desk.approve(_third, session=session, actor="maria")
    refused = send_approved(engine=any_engine, senders={"replay": Refused(tmp_path / "no")}, actor="t")
    assert len(refused.failed) == 1
    with transaction(any_engine) as session:
        session.add(
            SourceState(
                name="x:acme:search",
                platform="x",
                brand="acme",
                health="rate_limited",
                requests_remaining=0,
                consecutive_failures=2,
                spend_month=utcnow().strftime("%Y-%m"),
                spend_usd=1.25,
            )
        )
        session.execute(
            update(SourceState).where(col(SourceState.name) == "replay:acme:mentions").values(requests_remaining=417)
        )

    samples = scrape(TestClient(app_for(any_engine, brands)))

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("mentiondesk_mentions_stored", brand="acme", platform="replay") == 3
    assert value("mentiondesk_drafts", state="sent") == 2
    assert value("mentiondesk_drafts", state="failed") == 1
    assert value("mentiondesk_drafts", state="drafted") == 0
    assert value("mentiondesk_replies_sent", platform="replay") == 2
    assert value("mentiondesk_send_failures", outcome="failed") == 1
    assert value("mentiondesk_queue_depth", queue="review") == 0
    assert value("mentiondesk_queue_oldest_age_seconds", queue="review") == 0
    search = {"source": "x:acme:search", "platform": "x", "brand": "acme"}
    assert value("mentiondesk_source_health", health="rate_limited", **search) == 1
    assert value("mentiondesk_source_health", health="ok", **search) == 0
    assert value("mentiondesk_source_requests_remaining", **search) == 0
    assert value("mentiondesk_source_consecutive_failures", **search) == 2
    assert value("mentiondesk_source_spend_usd", **search) == 1.25
    listing = {"source": "replay:acme:mentions", "platform": "replay", "brand": "acme"}
    assert value("mentiondesk_source_health", health="ok", **listing) == 1
    assert value("mentiondesk_source_requests_remaining", **listing) == 417
    assert 0 <= value("mentiondesk_source_seconds_since_ok", **listing) < 300
    assert value("mentiondesk_source_spend_usd", **listing) == 0

    # a new mention waits for review; its age is how long ago its draft was made
    pipeline.poll(ListSource([[mention("@AcmeCoffee still no refund for order 5512")]], name="replay:acme:more"))
    with transaction(any_engine) as session:
        session.execute(
            update(Draft).where(col(Draft.state) == DraftState.DRAFTED).values(created_at=utcnow() - timedelta(hours=2))
        )
    again = scrape(TestClient(app_for(any_engine, brands)))
    key = ("mentiondesk_queue_depth", (("queue", "review"),))
    assert again[key] == 1
    assert 7190 < again[("mentiondesk_queue_oldest_age_seconds", (("queue", "review"),))] < 7300
    assert again[("mentiondesk_mentions_stored", (("brand", "acme"), ("platform", "replay")))] == 4


def test_json_logs_one_object_a_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(
        MENTIONDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}",
        MENTIONDESK_LOG_FORMAT="json",
        MENTIONDESK_LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "mentiondesk.cli", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert records, result.stderr
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["logger"].startswith("alembic") and "upgrade" in r["message"] for r in records)


def test_json_logs_are_redacted_like_text_logs() -> None:
    install_redactor()
    REDACTOR.set_secrets(["Zq81-secret-bearer"])
    logger = logging.getLogger("tests.json_logs")
    try:
        try:
            raise RuntimeError("refused: Authorization: Bearer Zq81-secret-bearer")
        except RuntimeError:
            secret = ("Zq81-secret-bearer",)
            record = logger.makeRecord(
                logger.name, logging.ERROR, __file__, 1, "posting with token=%s", secret, sys.exc_info()
            )
        line = JsonFormatter().format(record)
    finally:
        REDACTOR.set_secrets([])
    entry = json.loads(line)
    assert "Zq81" not in line
    assert entry["message"] == "posting with token=[redacted]"
    assert "RuntimeError" in entry["exception"] and entry["level"] == "ERROR"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_ops_endpoints_need_no_login_and_are_not_in_the_api_docs(engine: Engine, brands: Any, path: str) -> None:
    client = TestClient(app_for(engine, brands), follow_redirects=False)
    assert client.get(path).status_code == 200
