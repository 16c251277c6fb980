"""Speed work must not change what the classifier says: every field of every classification of a fixed sample
(tests/classifier_sample.py) equals the pinned outputs in tests/fixtures/classifier_outputs.json.

The pinned outputs were made with the shipped model before the speed work. When a change is meant to alter
outputs (a new model, a lexicon), regenerate them with `python tests/classifier_sample.py --write` and say
why in the commit."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from rules.classifier import load_classifier
from tests.classifier_sample import FIXTURE, sample


def test_classifications_of_the_fixed_sample_are_unchanged() -> None:
    pinned = json.loads(Path(FIXTURE).read_text(encoding="utf-8"))
    classifier = load_classifier()
    assert classifier.version == pinned["model_version"], "a different model: regenerate the fixture"
    got = [asdict(c) for c in classifier.classify(sample())]
    for c in got:
        c.pop("model_version")
    assert len(got) == len(pinned["outputs"])
    changed = [i for i, (a, b) in enumerate(zip(got, pinned["outputs"], strict=True)) if json.loads(json.dumps(a)) != b]
    assert not changed, f"{len(changed)} of {len(got)} classifications changed, first: {sample()[changed[0]][:80]!r}"
