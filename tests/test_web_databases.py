"""The desk on every database kind the machine has (SQLite always; PostgreSQL with
MENTIONDESK_TEST_POSTGRES_URL): pages, an action and trend figures checked against the rows."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, timedelta
from typing import Any

from pydantic import SecretStr
from sqlmodel import Session, select

from mentiondesk.settings import Settings
from mentiondesk.web import trends
from mentiondesk.web.auth import secret_key
from mentiondesk.web.seed import seed_demo
from mentiondesk.web.users import add_user
from storage.db import transaction
from storage.models import Draft, Mention, utcnow
from tests.test_web_support import PASSWORD, csrf, first_drafted, flash_of, signed_in


def test_desk_and_trends_on_each_database(any_engine: Any) -> None:
    from mentiondesk.web.app import create_app

    brands: Any = seed_demo(any_engine)
    with transaction(any_engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
    app = create_app(any_engine, brands, Settings(secret_key=SecretStr("k")))
    client = signed_in(app, "maria")
    draft = first_drafted(any_engine)
    for path in ("/queue", "/cases", "/trends", "/sources", f"/mentions/{draft.mention_id}", "/api/queue"):
        assert client.get(path).status_code == 200, path
    response = client.post(
        f"/drafts/{draft.id}/approve", data={"csrf_token": csrf(client, "/queue"), "version": draft.version}
    )
    assert flash_of(client, response).startswith("ok: ")

    today = utcnow().date()
    start = today - timedelta(days=6)
    key = next(iter(brands.brands))
    brand = brands.brands[key]
    with Session(any_engine) as session:
        report = trends.report(session, dict(brands.brands), key, start, today)
        rows = list(session.exec(select(Mention).where(Mention.brand == key)).all())
        sent = session.exec(select(Draft, Mention).join(Mention, Mention.id == Draft.mention_id)).all()  # type: ignore[arg-type]
    rows = [m for m in rows if start <= m.created_at.astimezone(UTC).date() <= today]
    assert report.total == len(rows)
    labels = Counter(m.label or "unlabelled" for m in rows)
    assert {k: report.by_category.total(k) for k in labels} == dict(labels)
    voice = dict(report.voice)
    for name in brand.competitors:  # a competitor counts in every mention naming it, however it was found
        assert voice[name] == sum(1 for m in rows if name.lower() in m.text.lower())
    human = [d for d, m in sent if d.state == "sent" and d.sent_at and not d.automated and m in rows]
    assert report.response.human_count == len(human)
    per_author = Counter(m.author_id for m in rows if m.author_id is not None)
    assert report.repeat_authors == sum(1 for n in per_author.values() if n >= 2)


def test_desk_workers_starting_together_on_a_new_database_share_one_cookie_key(any_engine: Any) -> None:
    """Without a configured secret_key the key is made on first start; `serve --workers N` starts N at once,
    and a worker that lost the race to store it used to die at start with a traceback."""
    workers = 8
    start = threading.Barrier(workers)
    keys: list[bytes] = []
    failures: list[BaseException] = []

    def start_worker() -> None:
        start.wait()
        try:
            keys.append(secret_key(any_engine, ""))
        except BaseException as exc:  # noqa: BLE001 - the test reports what a worker died of
            failures.append(exc)

    threads = [threading.Thread(target=start_worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(keys) == workers and len(set(keys)) == 1
    assert secret_key(any_engine, "") == keys[0]  # and it is kept for the next start
