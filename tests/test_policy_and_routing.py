"""The policy gate and routing rules, as a brand's social team would check them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from mentiondesk.core.brands import parse_brands
from mentiondesk.core.errors import PolicyBlocked
from mentiondesk.pipeline import Pipeline
from responders import queue as desk
from responders.drafting import draft_reply, greeting_name
from responders.length import weighted_length
from responders.policy import check, looks_like_code
from rules.routing import MentionFacts, decide, is_opt_out
from storage.db import transaction
from storage.models import Author, Draft, DraftState, FoundVia, Mention, Route
from tests.conftest import TEST_BRANDS
from tests.factories import ListSource, mention, must

PRAISE = "@AcmeCoffee the barista at Main St made the best flat white of my life, thank you!"


class ConfidentPraise:
    """Says every text is sure praise, so these tests exercise the gate's own rules, not the model's."""

    version = "fixed-praise"

    def classify(self, texts):
        from rules.classifier import Classification

        return [
            Classification(
                label="praise",
                sentiment="positive",
                confidence=0.99,
                scores={"complaint": 0.0, "praise": 0.99, "question": 0.0, "other": 0.01},
                cues=(),
                needs_review=False,
                model_version=self.version,
            )
            for _ in texts
        ]


@pytest.fixture
def praise_model():
    return ConfidentPraise()


def run(engine, brands, classifier, *items, name="s"):
    Pipeline(engine=engine, brands=brands, classifier=classifier).poll(ListSource([list(items)], name=name))
    with Session(engine) as session:
        return session.exec(select(Draft).order_by(col(Draft.id))).all()


def test_clear_praise_that_mentions_us_is_thanked_automatically_with_disclosure(engine, brands, praise_model):
    [draft] = run(engine, brands, praise_model, mention(PRAISE, platform="x"))
    assert draft.automated and draft.state == DraftState.HELD  # in "Going out" for the hold window
    assert draft.text.endswith("(automated reply)")


def test_keyword_only_x_match_never_gets_an_automated_reply(engine, brands, praise_model):
    drafts = run(
        engine,
        brands,
        praise_model,
        mention(PRAISE.replace("@AcmeCoffee", "acme coffee"), platform="x", via=FoundVia.KEYWORD),
    )
    assert drafts == []
    with Session(engine) as session:
        assert session.exec(select(Mention)).one().route == Route.INSIGHT


def test_gate_blocks_any_reply_to_a_keyword_only_x_post(engine, brands):
    with transaction(engine) as session:
        m = Mention(
            brand="acme",
            platform="x",
            external_id="1",
            author_handle="a",
            text="acme coffee rocks",
            created_at=datetime.now(UTC),
            found_via=FoundVia.KEYWORD,
        )
        session.add(m)
        session.flush()
        verdict = check(
            session=session,
            brand=brands.get("acme"),
            mention=m,
            author=None,
            text="Thanks!",
            automated=True,
            thank_eligible=True,
            now=datetime.now(UTC),
        )
    assert not verdict.may_send
    assert any("mention or reply to us" in r for r in verdict.blocked)


def test_an_author_who_opted_out_gets_no_further_reply(engine, brands, classifier, praise_model):
    first = run(
        engine,
        brands,
        classifier,
        mention("@AcmeCoffee my cup leaked everywhere", author="zed", platform="x"),
        name="a",
    )
    run(engine, brands, classifier, mention("@AcmeCoffee stop replying to me", author="zed", platform="x"), name="b")
    with Session(engine) as session:
        assert session.exec(select(Author).where(Author.handle == "zed")).one().opted_out_at is not None
    # the earlier draft can no longer be approved
    with pytest.raises(PolicyBlocked, match="no more replies"), transaction(engine) as session:
        desk.approve(first[0].id, session=session, actor="maria")
    later = run(engine, brands, praise_model, mention(PRAISE, author="zed", platform="x"), name="c")
    assert len(later) == 1  # neither the opt-out message nor the later praise gets a draft
    with Session(engine) as session:
        praise = session.exec(select(Mention).where(Mention.text == PRAISE)).one()
    assert praise.route == Route.INSIGHT and "asked for no more replies" in praise.route_reason


def test_daily_cap_and_cooldown_stop_automated_thanks(engine, brands, praise_model):
    # TEST_BRANDS caps automated replies at 2 a day; the same author is thanked at most once a week.
    items = [mention(PRAISE, author=f"fan{i}", platform="x") for i in range(3)]
    items.append(mention(PRAISE.replace("flat white", "cortado"), author="fan0", platform="x"))
    drafts = run(engine, brands, praise_model, *items)
    assert [d.automated for d in drafts] == [True, True, False, False]
    assert all(d.state == DraftState.DRAFTED for d in drafts[2:])


def test_quiet_hours_hold_automated_replies(engine, praise_model):
    quiet = parse_brands(TEST_BRANDS.replace('timezone = "UTC"', 'timezone = "UTC"\nquiet_hours = "00:00-23:59"'))
    [draft] = run(engine, quiet, praise_model, mention(PRAISE, platform="x"))
    assert not draft.automated and "quiet hours" in " ".join(draft.policy_reasons)


def test_reddit_is_never_automated_by_default(engine, brands, praise_model):
    reddit_brands = parse_brands(TEST_BRANDS.replace('auto_reply_platforms = ["x", "replay"]', ""))
    [draft] = run(engine, reddit_brands, praise_model, mention(PRAISE, platform="reddit"))
    assert not draft.automated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@AcmeCoffee stop replying to me", True),
        ("STOP", True),
        ("@AcmeCoffee unsubscribe", True),
        ("please opt me out of the bot", True),
        ("@AcmeCoffee do not contact me again", True),
        ("I can't stop drinking your cold brew", False),
        ("the bus stop near your store is closed", False),
    ],
)
def test_opt_out_phrases(text, expected):
    assert is_opt_out(text) is expected


def facts(text: str, **kw) -> MentionFacts:
    base = dict(
        platform="x",
        text=text,
        author_handle="ana",
        found_via=FoundVia.MENTION,
        language="en",
        label="complaint",
        urgency=20,
    )
    base.update(kw)
    return MentionFacts(**base)  # type: ignore[arg-type]


def test_routing_rules_in_order(brands):
    brand = brands.get("acme")
    assert decide(facts("hi", author_handle="@AcmeCoffee"), brand).route == Route.IGNORE
    assert decide(facts("get free followers https://bit.ly/x"), brand).route == Route.IGNORE
    assert decide(facts("acme anvil joke"), brand).route == Route.IGNORE
    assert decide(facts("BeanCo is better", found_via=FoundVia.KEYWORD), brand).reason.startswith("competitor")
    assert decide(facts("bad", urgency=90), brand).route == Route.ESCALATE
    assert decide(facts("hola", language="es", label="question"), brand).route == Route.INSIGHT
    assert decide(facts("where is my order?", label="question"), brand).route == Route.DRAFT
    # a complaint that threatens to tell followers is not spam, even if it reads like one
    assert decide(facts("I'll tell my 2M followers", spam_cue=True), brand).route == Route.DRAFT


def test_drafts_use_the_name_fit_x_and_promise_nothing(brands):
    brand = brands.get("acme")
    for seed in range(12):
        text = draft_reply(
            brand=brand,
            category="complaint",
            platform="x",
            author_name="Ana Lopez",
            author_handle="ana",
            seed=str(seed),
        ).text
        assert "Ana" in text and weighted_length(text, "x") <= 280
        assert not any(word in text.lower() for word in ("refund", "free", "compensat", "tomorrow", "by friday"))
    variants = {
        draft_reply(brand=brand, category="praise", platform="x", author_name="Bo", author_handle="b", seed=str(s)).text
        for s in range(20)
    }
    assert len(variants) >= 2


def test_a_very_long_name_still_fits_x(brands):
    text = draft_reply(
        brand=brands.get("acme"),
        category="escalation",
        platform="x",
        author_name="Bartholomew" * 30,
        author_handle="b" * 200,
        seed="1",
    ).text
    assert weighted_length(text, "x") <= 280


def test_names_are_cleaned_of_invisible_and_direction_characters():
    assert greeting_name("\u202eAna\u200b Lopez", "ana") == "Ana"
    assert greeting_name("🍕🍕", "pizza_guy") == "@pizza_guy"
    assert greeting_name("<script>", "x") == "@x"


def test_custom_templates_are_sandboxed(brands):
    hostile = parse_brands(TEST_BRANDS + '\n[brands.acme.templates]\npraise = ["{{ name.__class__.__mro__ }}"]\n')
    from jinja2.exceptions import SecurityError  # noqa: F401

    from mentiondesk.core.errors import ConfigError

    try:
        text = draft_reply(
            brand=hostile.get("acme"), category="praise", platform="x", author_name="Ana", author_handle="a", seed="1"
        ).text
    except ConfigError:
        return
    assert "object" not in text  # the sandbox never exposes Python internals


def test_stale_cooldown_window(engine, brands, praise_model):
    drafts = run(engine, brands, praise_model, mention(PRAISE, author="old_fan", platform="x"))
    assert drafts[0].automated
    with transaction(engine) as session:
        d = must(session.get(Draft, drafts[0].id))
        d.created_at = datetime.now(UTC) - timedelta(days=8)
    later = run(
        engine,
        brands,
        praise_model,
        mention(PRAISE.replace("life", "week"), author="old_fan", platform="x"),
        name="later",
    )
    assert later[-1].automated


# Praise that also carries markup, a script or an SQL statement: someone probing the brand's bot.
PRAISE_WITH_CODE = [
    "@AcmeCoffee great latte today'); DROP TABLE mentions;-- 😂",
    "@AcmeCoffee best flat white ever <script>alert(1)</script>",
    "@AcmeCoffee love you guys <img src=x onerror=alert(1)>",
    "@AcmeCoffee amazing service ' OR '1'='1",
]


@pytest.mark.parametrize("text", PRAISE_WITH_CODE)
def test_praise_carrying_code_is_kept_as_written_and_left_to_a_person(engine, brands, praise_model, text):
    [draft] = run(engine, brands, praise_model, mention(text, platform="x"))
    assert not draft.automated and draft.state == DraftState.DRAFTED  # in the queue, not in "Going out"
    with Session(engine) as session:
        assert session.exec(select(Mention)).one().text == text


@pytest.mark.parametrize(
    "text",
    [
        "@AcmeCoffee I <3 your oat latte",
        "@AcmeCoffee 10 < a million stars",
        "@AcmeCoffee love it ;-)",
        "@AcmeCoffee select a drink from the menu, then delete it from your mind: all great",
        "@AcmeCoffee price went from $4 to $5 {sigh} but worth it",
    ],
)
def test_everyday_symbols_in_praise_are_not_code(text):
    assert not looks_like_code(text)
