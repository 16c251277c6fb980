"""A team's desk through HTTP, the CLI and the API, on SQLite and PostgreSQL: replies written on the desk,
owners, internal notes, tags (manual and from brand-file rules), full-text search, saved replies."""

from __future__ import annotations

import itertools
import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.core.errors import InputError, NotAllowed, PolicyBlocked
from mentiondesk.pipeline import Pipeline
from mentiondesk.settings import Settings
from responders import queue, saved_replies, team
from responders.compose import compose
from storage.db import transaction
from storage.desk_models import MentionTag, Note, SavedReply
from storage.models import AuditEvent, Case, Draft, DraftState, FoundVia, Mention
from storage.search import SearchFilters, search
from tests.conftest import TEST_BRANDS
from tests.factories import ListSource, mention, must
from tests.test_web_support import PASSWORD, csrf, flash_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TEAM_BRANDS = (
    TEST_BRANDS
    + """
[brands.acme.routing]
draft_categories = ["complaint"]

[[brands.acme.tags]]
tag = "refund"
keywords = ["refund", "money back"]

[[brands.acme.tags]]
tag = "angry-on-x"
categories = ["complaint"]
platforms = ["x"]
"""
)
SCRIPT_NOTE = "<script>window.__pwned=1</script> called her back, <b>promised</b> a refund"


def team_brands(*, self_approval: bool = False) -> BrandConfig:
    text = TEAM_BRANDS
    if self_approval:
        text = text.replace('auto_reply_platforms = ["x", "replay"]', 'auto_reply_platforms = ["x", "replay"]\n'
                            "allow_self_approval = true")  # fmt: skip
    return parse_brands(text)


def fill(engine: Engine, brands: BrandConfig, classifier: Any, pages: list[list[Any]]) -> None:
    """Each call is a new source, so its pages are fetched from the start."""
    source = ListSource(pages, name=f"list:acme:{next(_sources)}")
    Pipeline(engine=engine, brands=brands, classifier=classifier).poll(source)


_sources = itertools.count()


def add_users(engine: Engine) -> None:
    from mentiondesk.web.users import add_user

    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
        add_user(session, "omar", "manager", PASSWORD)
        add_user(session, "ana", "analyst", PASSWORD)


def client_for(engine: Engine, brands: BrandConfig, name: str) -> TestClient:
    from mentiondesk.web.app import create_app

    app = create_app(engine, brands, Settings(secret_key=SecretStr("")))
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 303, response.text
    return client


def by_text(engine: Engine, words: str) -> Mention:
    with Session(engine) as session:
        return must(session.exec(select(Mention).where(col(Mention.text).contains(words))).first())


def drafts_of(engine: Engine, mention_id: int) -> list[Draft]:
    with Session(engine) as session:
        return list(session.exec(select(Draft).where(Draft.mention_id == mention_id)))


@pytest.fixture
def desk(any_engine: Engine, classifier: Any) -> tuple[Engine, BrandConfig]:
    brands = team_brands()
    fill(
        any_engine,
        brands,
        classifier,
        [
            [
                mention("@AcmeCoffee is the store on Main Street open on sunday?", author="qa_person", name="Quinn"),
                mention("@AcmeCoffee still waiting for my refund, three weeks now", author="ben_r", name="Ben Ruiz"),
                mention(
                    "acme coffee on the train again, the cold brew here was late and wrong",
                    author="kw_only",
                    name="Kim",
                    platform="x",
                    via=FoundVia.KEYWORD,
                ),
            ]
        ],
    )
    add_users(any_engine)
    return any_engine, brands


# --- compose -----------------------------------------------------------------------------------------------


def test_a_reply_written_on_a_mention_without_a_draft_waits_for_a_second_person(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    question = by_text(engine, "open on sunday")
    assert drafts_of(engine, must(question.id)) == []  # questions get no draft for this brand
    maria = client_for(engine, brands, "maria")
    page = maria.get(f"/mentions/{question.id}").text
    assert f'action="/mentions/{question.id}/reply"' in page

    sent = maria.post(
        f"/mentions/{question.id}/reply",
        data={"text": "Hi Quinn, yes: 9 to 5 on Sundays.", "csrf_token": csrf(maria, f"/mentions/{question.id}")},
    )
    assert "waits for approval in the queue by someone else" in flash_of(maria, sent)
    (draft,) = drafts_of(engine, must(question.id))
    assert (draft.state, draft.composed_by, draft.text) == (
        DraftState.DRAFTED,
        "maria",
        "Hi Quinn, yes: 9 to 5 on Sundays.",
    )
    assert f'id="draft-{draft.id}"' in maria.get("/queue").text  # in the approval queue like a drafted one

    own = maria.post(f"/drafts/{draft.id}/approve", data={"csrf_token": csrf(maria, "/queue"), "back": "/queue"})
    assert "another person must approve it" in flash_of(maria, own)
    assert drafts_of(engine, must(question.id))[0].state == DraftState.DRAFTED

    omar = client_for(engine, brands, "omar")
    approved = omar.post(f"/drafts/{draft.id}/approve", data={"csrf_token": csrf(omar, "/queue"), "back": "/queue"})
    assert f"Approved draft {draft.id}" in flash_of(omar, approved)
    with Session(engine) as session:
        assert must(session.get(Draft, draft.id)).approved_by == "omar"
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.draft_id == draft.id))]
    assert actions == ["compose", "approve"]


def test_a_brand_may_let_the_writer_approve_their_own_reply(desk: tuple[Engine, Any]) -> None:
    engine, _ = desk
    brands = team_brands(self_approval=True)
    question = by_text(engine, "open on sunday")
    with transaction(engine) as session:
        draft = compose(must(question.id), session=session, actor="maria", text="Yes, 9-5.", brands=brands.brands)
    with transaction(engine) as session, pytest.raises(NotAllowed):  # without the brand file's word, never
        queue.approve(must(draft.id), session=session, actor="maria", brands=team_brands().brands)
    with transaction(engine) as session:
        assert queue.approve(must(draft.id), session=session, actor="maria", brands=brands.brands).state == "approved"


def test_where_the_network_allows_no_reply_the_desk_says_why_and_links_the_post(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    keyword = by_text(engine, "cold brew here")
    with transaction(engine) as session:
        row = must(session.get(Mention, keyword.id))
        row.url = "https://x.com/kw_only/status/123"
    maria = client_for(engine, brands, "maria")
    page = maria.get(f"/mentions/{keyword.id}").text
    assert "No reply can be sent to this post: x allows replies only to posts that mention or reply to us" in page
    assert 'class="post-link" href="https://x.com/kw_only/status/123"' in page
    assert "compose-form" not in page
    refused = maria.post(
        f"/mentions/{keyword.id}/reply", data={"text": "hello", "csrf_token": csrf(maria, f"/mentions/{keyword.id}")}
    )
    assert "x allows replies only to posts that mention or reply to us" in flash_of(maria, refused)
    assert drafts_of(engine, must(keyword.id)) == []


def test_a_written_reply_passes_the_policy_gate_and_one_open_draft_per_mention(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    with transaction(engine) as session, pytest.raises(Exception, match="already has reply"):
        compose(must(complaint.id), session=session, actor="maria", text="Sorry!", brands=brands.brands)
    question = by_text(engine, "open on sunday")
    with transaction(engine) as session, pytest.raises(PolicyBlocked, match="replay allows"):
        too_long = "a" * 10_001
        compose(must(question.id), session=session, actor="maria", text=too_long, brands=brands.brands)
    with transaction(engine) as session, pytest.raises(PolicyBlocked, match="empty"):
        compose(must(question.id), session=session, actor="maria", text="   ", brands=brands.brands)
    assert drafts_of(engine, must(question.id)) == []


def test_reply_from_the_cli_and_the_api(desk: tuple[Engine, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, brands = desk
    question = by_text(engine, "open on sunday")
    api = client_for(engine, brands, "omar")
    token = csrf(api, "/queue")
    answer = api.post(
        f"/api/mentions/{question.id}/reply", json={"text": "We open at 9."}, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 200, answer.text
    draft_id = answer.json()["draft_id"]
    again = api.post(f"/api/mentions/{question.id}/reply", json={"text": "x"}, headers={"X-CSRF-Token": token})
    assert again.status_code == 409 and "already has reply" in again.json()["detail"]
    keyword = by_text(engine, "cold brew here")
    blocked = api.post(f"/api/mentions/{keyword.id}/reply", json={"text": "x"}, headers={"X-CSRF-Token": token})
    assert blocked.status_code == 422 and "x allows replies only" in blocked.json()["detail"]
    with transaction(engine) as session:  # reject it, so the CLI can write another
        queue.reject(draft_id, session=session, actor="omar", reason="wrong hours")
    from mentiondesk.cli import main

    _cli_database(monkeypatch, engine, brands)
    result = CliRunner().invoke(
        main, ["reply", str(question.id), "--text", "Open 9-5 on Sunday.", "--as", "maria", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"state": "drafted"' in result.output
    refused = CliRunner().invoke(
        main, ["queue", "approve", result.output.split('"draft_id": ')[1].split(",")[0], "--as", "maria"]
    )
    assert refused.exit_code == 2 and "another person must approve it" in refused.output


def _cli_database(monkeypatch: pytest.MonkeyPatch, engine: Engine, brands: BrandConfig) -> None:
    """Point the CLI at the test database and the brand file the desk runs with."""
    from mentiondesk.settings import get_settings

    path = Path(monkeypatch_dir(monkeypatch)) / "brands.toml"
    path.write_text(TEAM_BRANDS)
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MENTIONDESK_BRANDS_FILE", str(path))
    get_settings.cache_clear()
    monkeypatch.setattr("mentiondesk.settings.get_settings", get_settings)  # cleared again on teardown below


def monkeypatch_dir(monkeypatch: pytest.MonkeyPatch) -> str:
    import tempfile

    folder = tempfile.mkdtemp(prefix="team-cli-")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture(autouse=True)
def _fresh_settings() -> Any:
    from mentiondesk.settings import get_settings

    yield
    get_settings.cache_clear()


# --- ownership ---------------------------------------------------------------------------------------------


def test_assigning_a_complaint_gives_its_case_and_later_mentions_to_the_owner(
    desk: tuple[Engine, Any], classifier: Any
) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    assert complaint.case_id is not None
    maria = client_for(engine, brands, "maria")
    token = csrf(maria, f"/mentions/{complaint.id}")
    done = maria.post(f"/mentions/{complaint.id}/assign", data={"to": "omar", "csrf_token": token})
    assert f"Mention {complaint.id} assigned to omar" in flash_of(maria, done)
    again = maria.post(
        f"/mentions/{complaint.id}/assign", data={"to": "maria", "follow_up": "2026-11-21T10:00", "csrf_token": token}
    )
    assert "assigned to maria" in flash_of(maria, again)
    nobody = maria.post(f"/mentions/{complaint.id}/assign", data={"to": "zed", "csrf_token": token})
    assert "no desk user &#39;zed&#39;" in flash_of(maria, nobody)

    fill(engine, brands, classifier, [[mention("@AcmeCoffee hello?? still no refund, this is awful", author="ben_r")]])
    follow = by_text(engine, "still no refund")
    assert follow.case_id == complaint.case_id and follow.assigned_to == "maria"
    with Session(engine) as session:
        case = must(session.get(Case, complaint.case_id))
        assert case.assigned_to == "maria" and case.follow_up_at is not None
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action).in_(["assign", "reassign"])).order_by(col(AuditEvent.id))
        ).all()
    assert [(e.action, e.before, e.after) for e in events] == [("assign", None, "omar"), ("reassign", "omar", "maria")]
    page = maria.get(f"/mentions/{complaint.id}").text
    assert "omar → maria" in page and 'class="owner-name">maria<' in page

    mine = maria.get("/mine").text
    assert f"#{complaint.case_id}" in mine[mine.index("Follow-ups due") : mine.index("My open cases")]
    assert "@ben_r" in mine
    api = maria.get("/api/mine").json()
    assert api["follow_ups_due"][0]["case_id"] == complaint.case_id
    assert "Nothing due." in client_for(engine, brands, "omar").get("/mine").text


def test_a_resolved_case_cannot_be_assigned_and_an_analyst_cannot_assign(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    with transaction(engine) as session:
        queue.resolve_case(must(complaint.case_id), session=session, actor="omar")
    with transaction(engine) as session, pytest.raises(Exception, match="resolved"):
        team.assign_case(must(complaint.case_id), session=session, actor="omar", to="maria")
    ana = client_for(engine, brands, "ana")
    refused = ana.post(f"/mentions/{complaint.id}/assign", data={"to": "ana", "csrf_token": csrf(ana, "/queue")})
    assert refused.status_code == 403


def test_after_a_refused_reopen_the_customer_s_next_mention_joins_their_open_case(
    desk: tuple[Engine, Any], classifier: Any
) -> None:
    engine, brands = desk
    first = by_text(engine, "waiting for my refund")
    old_case = must(first.case_id)
    with transaction(engine) as session:
        queue.resolve_case(old_case, session=session, actor="omar")
    fill(engine, brands, classifier, [[mention("@AcmeCoffee now my card was charged twice", author="ben_r")]])
    new_case = must(by_text(engine, "charged twice").case_id)
    assert new_case != old_case

    maria = client_for(engine, brands, "maria")
    refused = maria.post(f"/cases/{old_case}/reopen", data={"csrf_token": csrf(maria, f"/cases/{old_case}")})
    assert f"another open case, #{new_case}" in flash_of(maria, refused)
    assert ">resolved<" in maria.get(f"/cases/{old_case}").text

    fill(engine, brands, classifier, [[mention("@AcmeCoffee any news on the double charge?", author="ben_r")]])
    assert by_text(engine, "double charge").case_id == new_case
    with Session(engine) as session:
        cases = session.exec(select(Case).where(Case.brand == "acme").order_by(col(Case.id))).all()
        ben = [c for c in cases if c.id in (old_case, new_case)]
        assert [c.status for c in ben] == ["resolved", "open"]
        assert session.exec(select(func.count()).select_from(Case).where(Case.status == "open",
                            Case.author_id == first.author_id)).one() == 1  # fmt: skip


# --- notes -------------------------------------------------------------------------------------------------


def test_a_script_note_is_shown_as_text_in_the_thread_and_audit_and_never_sent(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    maria = client_for(engine, brands, "maria")
    added = maria.post(
        f"/mentions/{complaint.id}/notes", data={"text": SCRIPT_NOTE, "csrf_token": csrf(maria, "/queue")}
    )
    assert "never sent" in flash_of(maria, added)
    page = maria.get(f"/mentions/{complaint.id}").text
    assert "<script>window.__pwned" not in page and "<b>promised</b>" not in page
    assert page.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") == 2  # the thread and the audit
    thread = page[page.index('<ol class="thread">') : page.index("</ol>", page.index('<ol class="thread">'))]
    assert "msg-note" in thread and "note by maria" in thread
    empty = maria.post(f"/mentions/{complaint.id}/notes", data={"text": "  ", "csrf_token": csrf(maria, "/queue")})
    assert "the note is empty" in flash_of(maria, empty)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Note)).one() == 1
        texts = [d.text for d in session.exec(select(Draft))]
    assert all("pwned" not in t for t in texts)


def test_notes_on_a_case_from_the_cli(desk: tuple[Engine, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    from mentiondesk.cli import main

    _cli_database(monkeypatch, engine, brands)
    result = CliRunner().invoke(main, ["note", str(complaint.case_id), "--case", "--text", "VIP", "--as", "omar"])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["note", "999999", "--text", "x"])
    assert bad.exit_code == 2 and "no mention 999999" in bad.output
    with Session(engine) as session:
        note = session.exec(select(Note)).one()
    assert (note.case_id, note.mention_id, note.author) == (complaint.case_id, complaint.id, "omar")


# --- tags --------------------------------------------------------------------------------------------------


def test_brand_rules_tag_new_mentions_in_their_batch_and_people_tag_by_hand(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    with Session(engine) as session:
        rows = session.exec(select(MentionTag.mention_id, MentionTag.tag, MentionTag.origin)).all()
    assert (complaint.id, "refund", "rule") in rows
    on_x = by_text(engine, "cold brew here")  # a complaint on x, found by keyword
    assert [m for m, tag, _ in rows if tag == "angry-on-x"] == [on_x.id]
    maria = client_for(engine, brands, "maria")
    token = csrf(maria, "/queue")
    tagged = maria.post(f"/mentions/{complaint.id}/tags", data={"tag": "  VIP Customer ", "csrf_token": token})
    assert "Tagged vip-customer." in flash_of(maria, tagged)
    bad = maria.post(f"/mentions/{complaint.id}/tags", data={"tag": "<b>x</b>", "csrf_token": token})
    assert "is not usable" in flash_of(maria, bad)
    page = maria.get(f"/mentions/{complaint.id}").text
    assert 'href="/search?tag=vip-customer"' in page and 'href="/search?tag=refund"' in page
    removed = maria.post(f"/mentions/{complaint.id}/tags/remove", data={"tag": "refund", "csrf_token": token})
    assert "Tag removed." in flash_of(maria, removed)
    with Session(engine) as session:
        assert team.tags_of([must(complaint.id)], session=session) == {must(complaint.id): ["vip-customer"]}


def test_a_tag_rule_needs_a_condition_and_a_usable_name() -> None:
    from mentiondesk.core.errors import ConfigError

    with pytest.raises(ConfigError, match="a tag rule needs"):
        parse_brands(TEST_BRANDS + '\n[[brands.acme.tags]]\ntag = "x"\n')
    with pytest.raises(ConfigError, match="tags"):
        parse_brands(TEST_BRANDS + '\n[[brands.acme.tags]]\ntag = "Not OK"\nkeywords = ["a"]\n')
    with pytest.raises(InputError):
        from rules.tagging import normal_tag

        normal_tag("x" * 41)


# --- search ------------------------------------------------------------------------------------------------


def test_search_finds_posts_authors_and_our_replies_with_filters(desk: tuple[Engine, Any], classifier: Any) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    question = by_text(engine, "open on sunday")
    with Session(engine) as session:
        hits = [h.mention.id for h in search("refund", SearchFilters(), session=session)]
        assert hits == [complaint.id]
        assert [h.mention.id for h in search("Ben Ruiz", SearchFilters(), session=session)] == [complaint.id]
        assert [h.mention.id for h in search("SUNDAY store", SearchFilters(), session=session)] == [question.id]
        assert search("refund", SearchFilters(platform="x"), session=session) == []
        assert search("refund", SearchFilters(label="question"), session=session) == []
        assert [h.mention.id for h in search("", SearchFilters(tag="refund"), session=session)] == [complaint.id]
        assert search('refund" OR "sunday', SearchFilters(), session=session) == []  # words, not syntax
        assert search("<script>", SearchFilters(), session=session) == []
    with transaction(engine) as session:
        compose(
            must(question.id), session=session, actor="maria", text="Our baristas say: pistachio.", brands=brands.brands
        )
    with Session(engine) as session:
        (hit,) = search("pistachio", SearchFilters(), session=session)
        assert hit.mention.id == question.id and hit.in_reply
    # kept in step by the batch's own transaction
    fill(engine, brands, classifier, [[mention("@AcmeCoffee where is my zanzibar blend order", author="new_one")]])
    with Session(engine) as session:
        assert len(search("zanzibar", SearchFilters(brand="acme"), session=session)) == 1


def test_search_page_cli_and_api(desk: tuple[Engine, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    maria = client_for(engine, brands, "maria")
    page = maria.get("/search?q=refund&brand=acme&start=2026-11-01&end=2026-11-30").text
    assert f'data-mention="{complaint.id}"' in page and "1 result" in page
    assert "Nothing found." in maria.get("/search?q=refund&start=2026-11-21").text
    assert maria.get("/search?q=refund&start=tomorrow").status_code == 400
    assert maria.get("/search?q=refund&brand=nope").status_code == 400
    api = maria.get("/api/search", params={"q": "refund", "tag": "refund"}).json()
    assert [i["mention_id"] for i in api["items"]] == [complaint.id] and api["items"][0]["tags"] == ["refund"]
    assert maria.get("/api/search", params={"q": "x", "end": "2026-13-01"}).status_code == 422
    from mentiondesk.cli import main

    _cli_database(monkeypatch, engine, brands)
    result = CliRunner().invoke(main, ["search", "refund", "--json"])
    assert result.exit_code == 0, result.output
    assert f'"mention_id": {complaint.id}' in result.output
    text = CliRunner().invoke(main, ["search", "nothing-like-this"])
    assert text.exit_code == 0 and "nothing found" in text.output


# --- saved replies -----------------------------------------------------------------------------------------


def test_saved_replies_fill_placeholders_and_count_their_use(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    question = by_text(engine, "open on sunday")
    maria = client_for(engine, brands, "maria")
    token = csrf(maria, "/saved-replies")
    added = maria.post(
        "/saved-replies",
        data={
            "brand": "acme",
            "title": "Opening hours",
            "body": "Hi {name}, {brand} opens 9-5. {agent}",
            "csrf_token": token,
        },
    )
    assert "Saved reply added." in flash_of(maria, added)
    typo = maria.post(
        "/saved-replies", data={"brand": "acme", "title": "Typo", "body": "Hi {nmae}", "csrf_token": token}
    )
    assert "unknown placeholder {nmae}" in flash_of(maria, typo)
    page = maria.get(f"/mentions/{question.id}").text
    assert 'data-text="Hi Quinn, Acme Coffee opens 9-5. maria"' in page
    listed = maria.get("/api/saved-replies", params={"mention_id": question.id, "q": "hours"}).json()
    assert listed[0]["text"] == "Hi Quinn, Acme Coffee opens 9-5. maria"
    with Session(engine) as session:
        saved = session.exec(select(SavedReply)).one()
    written = maria.post(
        f"/mentions/{question.id}/reply",
        data={"text": listed[0]["text"], "saved_reply_id": str(saved.id), "csrf_token": token},
    )
    assert "Reply written" in flash_of(maria, written)
    with Session(engine) as session:
        assert must(session.get(SavedReply, saved.id)).uses == 1
        assert drafts_of(engine, must(question.id))[0].template_key == f"saved:{saved.id}"
    assert re.search(r'class="num uses">1<', maria.get("/saved-replies?brand=acme").text)


def test_a_hostile_customer_name_in_a_saved_reply_loses_its_invisible_characters(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    with Session(engine) as session:
        m = must(session.exec(select(Mention)).first())
    m.author_name = "Eve\u202e\u200b Smith"
    m.author_handle = "eve<script>"
    out = saved_replies.fill("{name} {handle} {agent}", mention=m, brand=brands.brands["acme"], agent="a\u200bb")
    assert out == "Eve @eve<script> ab"  # kept as text; the desk escapes it wherever it is shown


def test_a_date_range_finds_a_mention_stored_after_newer_ones(desk: tuple[Engine, Any], classifier: Any) -> None:
    """Ids follow storage, not posting: an old post imported late is still inside its day's range."""
    engine, brands = desk
    late = mention("@AcmeCoffee zebra latte was cold", author="late_one", minutes=-19 * 24 * 60)  # 2026-11-01
    fill(engine, brands, classifier, [[late]])
    first_day = datetime(2026, 11, 1, tzinfo=UTC)
    with Session(engine) as session:
        found = search(
            "", SearchFilters(within=("acme",), since=first_day, until=first_day + timedelta(days=1)), session=session
        )
        assert [h.mention.author_handle for h in found] == ["late_one"]
        later = SearchFilters(within=("acme",), since=first_day + timedelta(days=19))
        assert "late_one" not in {h.mention.author_handle for h in search("", later, session=session)}
        assert search("zebra", SearchFilters(within=("acme",), until=first_day), session=session) == []


def test_assign_note_and_tag_through_the_api(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    complaint = by_text(engine, "waiting for my refund")
    omar = client_for(engine, brands, "omar")
    headers = {"X-CSRF-Token": csrf(omar, "/queue")}
    base = f"/api/mentions/{complaint.id}"
    assigned = omar.post(f"{base}/assign", json={"to": "maria"}, headers=headers)
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "maria"
    assert omar.post(f"{base}/assign", json={"to": "nobody-here"}, headers=headers).status_code == 404
    case = omar.post(f"/api/cases/{complaint.case_id}/assign", json={"to": None}, headers=headers)
    assert case.status_code == 200 and case.json()["assigned_to"] is None
    noted = omar.post(f"{base}/notes", json={"text": SCRIPT_NOTE}, headers=headers)
    assert noted.status_code == 200 and noted.json()["note_id"]
    assert omar.post(f"{base}/notes", json={"text": "a\x00b"}, headers=headers).status_code == 422
    assert omar.post(f"{base}/tags", json={"tag": "Needs Callback"}, headers=headers).json()["tag"] == "needs-callback"
    assert omar.post(f"{base}/tags", json={"tag": "no/slash"}, headers=headers).status_code == 400
    assert omar.delete(f"{base}/tags/needs-callback", headers=headers).status_code == 200
    assert omar.delete(f"{base}/tags/needs-callback", headers=headers).status_code == 404
    ana = client_for(engine, brands, "ana")
    denied = ana.post(f"{base}/notes", json={"text": "x"}, headers={"X-CSRF-Token": csrf(ana, "/queue")})
    assert denied.status_code == 403
    with Session(engine) as session:
        events = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.actor == "omar"))]
    assert events == ["assign", "reassign", "note", "tag", "untag"]
