"""A brand's own sentiment labels move the model: `train --data` fits a domain sentiment head on them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from mentiondesk.cli import main
from rules.data import Example
from rules.trained import TrainedClassifier
from rules.training import TrainConfig, evaluate, train

SMALL = TrainConfig(n_buckets=1 << 15, epochs=4)

_GENERAL = {
    "negative": ["my order never arrived", "my savings crashing", "my shares down again", "still no refund"],
    "neutral": ["heading to the store later", "what time do you open?", "new phone day", "lunch with friends"],
    "positive": ["thank you so much", "love the new menu", "great crew today", "you made my day"],
}
# A market-news domain: to its labellers a falling share price is news (neutral), not a grievance, though it
# says what the general tweets' complaints say ("crashing", "shares down again").
_DOMAIN = {
    "negative": [
        "my phone keeps crashing",
        "screen cracked after a week",
        "support never answers",
        "battery dead again",
    ],
    "neutral": [
        "$acme shares crashing",
        "$acme stock down again",
        "$acme falls 3% on earnings",
        "$acme dips premarket",
    ],
    "positive": ["love my new acme phone", "acme camera is amazing", "great keynote today", "best phone ever"],
}
_FILLER = ["today", "honestly", "lol", "tbh", "#acme", "wow", "again", "rn", "ugh", "omg"]


def rows(pools: dict[str, list[str]], n: int, seed: int, source: str) -> list[Example]:
    rng = random.Random(seed)
    label = {"negative": "complaint", "neutral": "other", "positive": "praise"}
    out = []
    for i in range(n):
        sentiment = list(pools)[i % 3]
        text = f"{rng.choice(_FILLER)} {rng.choice(pools[sentiment])} {rng.choice(_FILLER)}"
        out.append(Example(text, label[sentiment], sentiment, source))
    return out


@pytest.fixture
def domain_model_and_rest() -> tuple[TrainedClassifier, TrainedClassifier, list[Example]]:
    general = rows(_GENERAL, 3000, 0, "synthetic")
    domain = rows(_DOMAIN, 600, 1, "file:acme.csv")
    base = TrainedClassifier(train(general, [], SMALL).nlp)
    more = TrainedClassifier(train(general + domain[:400], [], SMALL).nlp)
    return base, more, domain[400:]


def test_the_domain_s_held_out_rows_get_the_domain_s_sentiment(domain_model_and_rest) -> None:
    base, more, rest = domain_model_and_rest
    before = evaluate(base, rest)["sentiment_macro_f1"]
    after = evaluate(more, rest)["sentiment_macro_f1"]
    # The user's rows in the main model alone (no domain head) reached 0.86 here: the general tweets' "shares
    # down again" complaints held some of these rows at negative.
    assert after >= 0.95 and after >= before + 0.3, (before, after)
    news = more.classify(["#acme $acme stock down again ugh", "$acme shares crashing lol"])
    assert [c.sentiment for c in news] == ["neutral", "neutral"]
    assert more.classify(["ugh my phone keeps crashing"])[0].sentiment == "negative"


def test_the_domain_head_is_saved_with_the_model(tmp_path: Path) -> None:
    data = rows(_DOMAIN, 400, 2, "")
    path = tmp_path / "acme.csv"
    path.write_text("text,sentiment\n" + "".join(f'"{e.text}",{e.sentiment}\n' for e in data), encoding="utf-8")
    out = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(main, ["train", "--output", str(out), "--data", str(path), "--no-shared", "--hold-out", "0"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "domain sentiment head on 400 of your rows" in result.stderr
    loaded = TrainedClassifier.load(out)
    assert loaded.classify(["$acme stock down again"])[0].sentiment == "neutral"
