"""Markup and invisible characters are data: they must not change what the classifier makes of a post.

Reddit posts arrive as Markdown, scraped or hostile posts carry HTML, and zero-width or right-to-left control
characters hide inside words. The desk shows the post as written; the classifier reads its words."""

from __future__ import annotations

import pytest

from rules.classifier import Classifier, load_classifier, thank_you_eligible
from rules.text import plain_text


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_classifier()


# (as posted, what a reader sees)
DRESSED = [
    (
        "[click me](javascript:alert(1)) Northwind Coffee lost my order **again** <iframe src=//evil.example>",
        "click me Northwind Coffee lost my order again",
    ),
    (
        "@NorthwindCoffee lo\u200bve the new\u200d latte\u200b\u200b\u200d so good",
        "@NorthwindCoffee love the new latte so good",
    ),
    (
        "@NorthwindCoffee my order \u202e!deviarra reven\u202c please help",
        "@NorthwindCoffee my order never arraived! please help",
    ),
    (
        "@NorthwindCoffee <b>two</b> hours <i>waiting</i> for a __refund__",
        "@NorthwindCoffee two hours waiting for a refund",
    ),
    ("@NorthwindCoffee ~~great~~ awful service today", "@NorthwindCoffee awful service today"),
]


@pytest.mark.parametrize(("posted", "seen"), DRESSED)
def test_the_classifier_reads_what_a_reader_sees(model: Classifier, posted: str, seen: str) -> None:
    dressed, plain = model.classify([posted, seen])
    assert dressed.label == plain.label
    assert dressed.sentiment == plain.sentiment
    assert dressed.needs_review == plain.needs_review
    assert dressed.scores["complaint"] == pytest.approx(plain.scores["complaint"], abs=0.02)


def test_a_markdown_complaint_is_never_read_as_chatter(model: Classifier) -> None:
    # The demo's hostile Reddit post: with the marks it was "other" at 0.73, not under review, and drafted
    # "If there's anything we can help with" with no apology.
    (c,) = model.classify([DRESSED[0][0]])
    assert c.label == "complaint" or c.needs_review
    assert c.sentiment == "negative"
    assert not thank_you_eligible(c)


def test_zero_width_characters_do_not_hide_praise(model: Classifier) -> None:
    (c,) = model.classify([DRESSED[1][0]])
    assert c.label == "praise"
    assert c.sentiment == "positive"


def test_plain_text_keeps_what_only_looks_like_markup() -> None:
    assert plain_text("i <3 you, 2*3*4 = 24, a ~ b") == "i <3 you, 2*3*4 = 24, a ~ b"
    assert plain_text("snake_case and under_scored_names") == "snake_case and under_scored_names"
    assert plain_text("*sigh* ok") == "sigh ok"
