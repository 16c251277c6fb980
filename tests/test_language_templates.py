"""Replies in the customer's language: the shipped wording in en, de, es, fr, it, pt, a brand's own
`[templates.<language>]`, the mention's detected language through the pipeline, and "Needs review" with the
safe wording in the brand's default language for a language the brand does not answer in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.core.errors import ConfigError
from mentiondesk.pipeline import Pipeline
from mentiondesk.starter import BRANDS_TEMPLATE
from responders import queue as desk
from responders.drafting import check_templates, draft_reply, reply_language
from responders.templates import BY_LANGUAGE, ENGLISH
from storage.db import transaction
from storage.models import Draft, Mention
from tests.conftest import TEST_BRANDS
from tests.factories import ListSource, mention, must

SIX = ("en", "de", "es", "fr", "it", "pt")
# Words a native reader takes as thanks, an apology, a promise of time or result, in each language.
THANKS = {
    "en": r"\b(thank|thanks|appreciate|glad|made our day)",
    "de": r"\b(dank|danke|freut|schön)",
    "es": r"\b(gracias|agradec|alegra)",
    "fr": r"\b(merci|ravis|plaisir)",
    "it": r"\b(grazie|felici|ringrazi)",
    "pt": r"\b(obrigad|agradec|que bom)",
}
APOLOGY = {
    "en": r"\bsorry\b",
    "de": r"\b(leid|entschuldigung)\b",
    "es": r"\b(sentimos|disculpa|perdón)\b",
    "fr": r"\b(désolés|excuses)\b",
    "it": r"\b(dispiace|scusaci)\b",
    "pt": r"\b(sentimos|lamentamos|desculpe)\b",
}
PROMISES = {
    "en": r"\b(we will|we'll|promise|guarantee|refund|right away|straight away|today|shortly|soon|fix)\b",
    "de": r"\b(versprechen|garantieren|erstatten|sofort|heute|gleich|bald)\b",
    "es": r"\b(prometemos|garantizamos|reembols\w*|ahora mismo|enseguida|hoy|pronto)\b",
    "fr": r"\b(promettons|garantissons|rembours\w*|tout de suite|aujourd'hui|bientôt|immédiatement)\b",
    "it": r"\b(promettiamo|garantiamo|rimbors\w*|subito|oggi|presto)\b",
    "pt": r"\b(prometemos|garantimos|reembols\w*|agora mesmo|hoje|logo)\b",
}


def rendered(language: str, category: str) -> list[str]:
    env = SandboxedEnvironment()
    return [
        env.from_string(t).render(name="Ana", handle="ana", brand="Acme", platform="x")
        for t in BY_LANGUAGE[language][category]
    ]


def with_languages(*codes: str, extra: str = "") -> BrandConfig:
    listed = ", ".join(f'"{c}"' for c in codes)
    return parse_brands(TEST_BRANDS.replace('languages = ["en"]', f"languages = [{listed}]") + extra)


def run(engine: Engine, brands: BrandConfig, classifier: Any, *items: Any) -> list[tuple[Draft, Mention]]:
    Pipeline(engine=engine, brands=brands, classifier=classifier).poll(ListSource([list(items)]))
    with Session(engine) as session:
        rows = session.exec(select(Draft, Mention).join(Mention, col(Mention.id) == Draft.mention_id))
        return list(rows.all())


def stored(engine: Engine, text: str) -> Mention:
    with Session(engine) as session:
        return must(session.exec(select(Mention).where(Mention.text == text)).first())


# --- the shipped wording ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SIX)
def test_every_language_has_every_category_with_the_name_in_each_variant(language: str) -> None:
    assert set(BY_LANGUAGE[language]) == set(ENGLISH)
    for category, variants in BY_LANGUAGE[language].items():
        assert len(variants) >= 2, (language, category)
        assert all("{{ name }}" in v for v in variants), (language, category)
        assert len(set(variants)) == len(variants)


@pytest.mark.parametrize("language", SIX)
def test_complaints_apologise_and_praise_thanks_in_each_language(language: str) -> None:
    for text in rendered(language, "complaint") + rendered(language, "escalation"):
        assert re.search(APOLOGY[language], text, re.I), text
        assert not re.search(THANKS[language], text, re.I), text
        assert "DM" in text  # one concrete next step
    for text in rendered(language, "praise"):
        assert re.search(THANKS[language], text, re.I), text


# What the praise is about is unknown to an automated reply: "so glad you enjoyed it" answered "thank you for the
# job! First shift went great" in the demo's Going out lane.
ASSUMES_CONSUMPTION = r"enjoy|\bliked?\b|gefallen|geschmeckt|disfrut|gustado|\bplu\b|piaciut|gostou|aprovei"


@pytest.mark.parametrize("language", SIX)
def test_the_praise_wording_fits_any_praise(language: str) -> None:
    for text in rendered(language, "praise"):
        assert not re.search(ASSUMES_CONSUMPTION, text, re.I), text


@pytest.mark.parametrize("language", SIX)
def test_the_safe_wording_never_thanks_celebrates_apologises_or_promises_and_other_never_thanks(
    language: str,
) -> None:
    for text in rendered(language, "safe") + rendered(language, "safe_praise") + rendered(language, "safe_question"):
        assert "DM" in text, text
        for words in (THANKS, APOLOGY, PROMISES):
            assert not re.search(words[language], text, re.I), text
        assert not re.search(r"[!¡💛]", text), text
    for text in rendered(language, "other"):
        assert not re.search(THANKS[language], text, re.I), text


# --- the brand file --------------------------------------------------------------------------------------


def test_a_brands_own_language_table_wins_and_falls_back_per_category() -> None:
    brands = with_languages(
        "en", "es", extra='\n[brands.acme.templates.es]\ncomplaint = ["{{ name }}, lo sentimos. Llámanos al 900."]\n'
    )
    acme = brands.get("acme")
    check_templates(acme)
    common: dict[str, Any] = {
        "brand": acme,
        "platform": "x",
        "author_name": "Ana Lopez",
        "author_handle": "ana",
        "seed": "s",
    }
    own = draft_reply(category="complaint", language="es", **common)
    assert (own.text, own.template_key) == ("Ana, lo sentimos. Llámanos al 900.", "complaint:0:es")
    shipped = draft_reply(category="praise", language="es", **common)
    assert shipped.text in rendered("es", "praise") and shipped.template_key.endswith(":es")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ name }}, sorry! 100% {our} fault }{", "Ana, sorry! 100% {our} fault }{"),
        ("{% if name %}Hi {{ name|upper }}{% else %}Hi{% endif %}, {{ brand }} here", "Hi ANA, Acme Coffee here"),
        (
            "Hi {{name}}{# a note #} from {{ brand }} on {{ platform }} ({{ nobody }})",
            "Hi Ana from Acme Coffee on x ()",
        ),
    ],
)
def test_a_brands_template_renders_as_jinja_would_whether_plain_or_with_logic(template: str, expected: str) -> None:
    """Plain `{{ name }}` templates are filled in without Jinja (speed); the text must be the same."""
    brands = with_languages("en", extra=f"\n[brands.acme.templates]\ncomplaint = [{template!r}]\n")
    acme = brands.get("acme")
    check_templates(acme)
    common: dict[str, Any] = {"platform": "x", "author_name": "Ana Lopez", "author_handle": "ana", "seed": "s"}
    text = draft_reply(brand=acme, category="complaint", **common).text
    assert (
        text
        == expected
        == SandboxedEnvironment()
        .from_string(template)
        .render(name="Ana", brand="Acme Coffee", platform="x", handle="ana")
    )


def test_an_automated_reply_says_so_in_its_language_unless_the_brand_wrote_its_own() -> None:
    common: dict[str, Any] = {"platform": "x", "author_name": "Jonas", "author_handle": "jw", "seed": "s"}
    shipped = with_languages("en", "de").get("acme")
    text = draft_reply(brand=shipped, category="praise", language="de", automated=True, **common).text
    assert text.endswith("(automatische Antwort)") and "automated" not in text
    own = with_languages("en", "de", extra='disclosure = "[bot]"\n').get("acme")
    assert draft_reply(brand=own, category="praise", language="de", automated=True, **common).text.endswith("[bot]")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[brands.acme.templates.es]\nthanks = ["x"]', "language_templates.es.thanks"),
        ('[brands.acme.templates.spanish]\ncomplaint = ["x"]', "not a language code"),
        ('[brands.acme.templates]\nsafe = ["a"]\n[brands.acme.templates.en]\nsafe = ["b"]', "both in [templates]"),
    ],
)
def test_a_wrong_language_table_is_refused_with_where(table: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_brands(TEST_BRANDS + "\n" + table + "\n")
    assert message in str(caught.value) or message in (caught.value.key or "")


def test_a_template_typo_in_a_language_table_names_it() -> None:
    acme = with_languages("en", "de", extra='\n[brands.acme.templates.de]\npraise = ["Danke {{ name }"]\n').get("acme")
    with pytest.raises(ConfigError) as caught:
        check_templates(acme)
    assert caught.value.key == "brands.acme.templates.de.praise[0]"


def test_the_starter_brand_file_answers_in_six_languages_with_the_shipped_wording() -> None:
    acme = parse_brands(BRANDS_TEMPLATE).get("acme")
    assert tuple(acme.languages) == SIX
    for language in SIX:
        assert acme.templates_in(language) == BY_LANGUAGE[language]


# --- through the pipeline --------------------------------------------------------------------------------

COBRANDO = "@AcmeCoffee Me siguen cobrando aunque la cancelé"
CHARGED_TWICE = "@AcmeCoffee Me cobraron dos veces el mismo pedido y nadie me responde"


def test_a_spanish_complaint_is_drafted_in_spanish_with_an_apology_and_the_name(engine: Engine, classifier: Any):
    [(draft, row)] = run(engine, with_languages("en", "es"), classifier, mention(CHARGED_TWICE, lang=None))
    assert row.label == "complaint" and not row.needs_review
    assert draft.template_key.startswith(("complaint:", "escalation:")) and draft.template_key.endswith(":es")
    assert re.search(APOLOGY["es"], draft.text, re.I) and "Ana" in draft.text
    assert not re.search(THANKS["es"], draft.text, re.I) and not re.search(THANKS["en"], draft.text, re.I)


def test_the_issues_spanish_example_is_answered_in_spanish_never_thanked(engine: Engine, classifier: Any):
    [(draft, row)] = run(engine, with_languages("en", "es"), classifier, mention(COBRANDO, lang="es"))
    assert draft.template_key.endswith(":es") and "Ana" in draft.text
    assert not re.search(THANKS["es"], draft.text, re.I) and not draft.automated
    if row.needs_review:  # the model is unsure of it: the Spanish safe wording, no apology for what it cannot see
        assert draft.text in rendered("es", "safe")
    else:
        assert re.search(APOLOGY["es"], draft.text, re.I)


def test_a_german_praise_gets_german_thanks(engine: Engine, classifier: Any):
    text = "@AcmeCoffee Ich liebe euren Kaffee, einfach großartig!"
    [(draft, row)] = run(engine, with_languages("en", "de"), classifier, mention(text, lang="de", name="Jonas Weber"))
    assert row.label == "praise" and draft.template_key.endswith(":de")
    assert re.search(THANKS["de"], draft.text, re.I) and "Jonas" in draft.text
    assert not re.search(THANKS["en"], draft.text, re.I)


def test_a_japanese_mention_needs_review_and_gets_the_safe_wording_in_the_default_language(
    engine: Engine, classifier: Any
):
    text = "@AcmeCoffee 新しいオーツミルクラテ、とても美味しかったです！"
    # A brand that lists Japanese (its staff read it) but has no Japanese wording: the English safe draft.
    [(draft, row)] = run(engine, with_languages("en", "ja"), classifier, mention(text, lang="ja"))
    assert row.needs_review and row.review_reason == "language ja not supported"
    assert draft.template_key.startswith("safe:") and draft.text in rendered("en", "safe")


def test_a_japanese_mention_to_a_brand_with_japanese_safe_wording_is_answered_in_japanese(
    engine: Engine, classifier: Any
):
    text = "@AcmeCoffee 新しいオーツミルクラテ、とても美味しかったです！"
    own = '\n[brands.acme.templates.ja]\nsafe = ["{{ name }}さん、ご連絡ください。DMでお待ちしています。"]\n'
    [(draft, row)] = run(engine, with_languages("en", "ja", extra=own), classifier, mention(text, lang="ja"))
    assert row.needs_review and draft.text == "Anaさん、ご連絡ください。DMでお待ちしています。"


def test_a_language_the_brand_does_not_list_needs_review_and_is_not_answered_in_it(engine: Engine, classifier: Any):
    # Detected Spanish, the platform said nothing, the brand answers in English only.
    [(draft, row)] = run(engine, with_languages("en"), classifier, mention(CHARGED_TWICE, lang=None))
    assert row.needs_review and row.review_reason == "language es not supported"
    assert draft.template_key.split(":")[0] in ("safe", "escalation") and ":es" not in draft.template_key
    assert draft.text in rendered("en", "safe") + rendered("en", "escalation")


def test_a_brands_own_safe_wording_also_answers_praise_under_review_unless_it_wrote_safe_praise() -> None:
    from responders.drafting import templates_for

    own = '\n[brands.acme.templates.en]\nsafe = ["{{ name }}, please DM us."]\n'
    brand = with_languages("en", extra=own).get("acme")
    assert templates_for(brand, "safe_praise", "en") == ("en", ["{{ name }}, please DM us."])
    both = own + 'safe_praise = ["{{ name }}, the team has read this. DM us any time."]\n'
    brand = with_languages("en", extra=both).get("acme")
    assert templates_for(brand, "safe_praise", "en") == ("en", ["{{ name }}, the team has read this. DM us any time."])
    assert templates_for(brand, "safe_question", "en") == ("en", ["{{ name }}, please DM us."])
    plain = with_languages("en").get("acme")
    assert templates_for(plain, "safe_praise", "en") == ("en", ENGLISH["safe_praise"])
    assert templates_for(plain, "safe_question", "en") == ("en", ENGLISH["safe_question"])


def test_a_brand_that_lists_no_languages_answers_in_any_it_has_wording_for() -> None:
    acme = with_languages().get("acme")
    assert (reply_language(acme, "en"), reply_language(acme, "pt-BR"), reply_language(acme, "ja")) == ("en", "pt", None)
    assert reply_language(with_languages("en", "es").get("acme"), "fr") is None


def test_one_author_gets_different_words_each_time_in_their_language(engine: Engine, classifier: Any):
    texts = [
        CHARGED_TWICE,
        "@AcmeCoffee Otra vez me cobraron dos veces, el pedido nunca llegó",
        "@AcmeCoffee El pedido llegó tarde otra vez y frío. Muy mal servicio.",
    ]
    rows = run(engine, with_languages("en", "es"), classifier, *(mention(t, lang="es") for t in texts))
    spanish = [d.text for d, m in rows if d.template_key.endswith(":es")]
    assert len(spanish) == 3 and len(set(spanish)) == 3


def test_relabelling_keeps_the_language_of_the_draft(engine: Engine, classifier: Any):
    brands = with_languages("en", "es")
    [(draft, row)] = run(engine, brands, classifier, mention(CHARGED_TWICE, lang=None))
    with transaction(engine) as session:
        desk.relabel(must(row.id), session=session, actor="maria", label="question", brands=brands.brands)
    with Session(engine) as session:
        again = must(session.get(Draft, draft.id))
    assert again.template_key.startswith("question:") and again.template_key.endswith(":es")
    assert again.text in rendered("es", "question")


# --- the desk --------------------------------------------------------------------------------------------


def test_the_queue_card_shows_the_spanish_draft(tmp_path: Path, classifier: Any):
    from pydantic import SecretStr

    from mentiondesk.settings import Settings
    from mentiondesk.web.app import create_app
    from mentiondesk.web.users import add_user
    from storage.db import make_engine, upgrade
    from tests.test_web_support import PASSWORD, signed_in

    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    upgrade(engine)
    brands = with_languages("en", "es")
    [(draft, _)] = run(engine, brands, classifier, mention(CHARGED_TWICE, lang="es"))
    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
    app = create_app(engine, brands, Settings(secret_key=SecretStr("")))
    page = signed_in(app, "maria").get("/queue").text
    card = page[page.index(f'id="draft-{draft.id}"') :][:8000]
    assert re.search(APOLOGY["es"], draft.text, re.I)
    assert draft.text.split(":")[0] in card  # the Spanish words, as the manager reads them
    engine.dispose()
