"""Does `mentiondesk train --data` learn a new domain? A domain split of the shared corpora.

    /work/venv/bin/python benchmarks/learning.py [--data DIR] [--n 3000]

The domain is the CrowdFlower SXSW brand tweets. Base model: `train` on every shared corpus except CrowdFlower.
Then the same command plus `--data` with N labeled CrowdFlower rows from its training slice. Both are scored on
the CrowdFlower held-out slice (the "rest of the domain", never trained on).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner


def without_domain(data_dir: Path, into: Path) -> Path:
    """A shared-data folder that lacks the domain corpus (symlinks, nothing copied)."""
    into.mkdir(parents=True, exist_ok=True)
    for child in data_dir.iterdir():
        if child.is_dir() and child.name != "crowdflower_brand_product_emotions":
            (into / child.name).symlink_to(child.resolve())
    return into


def train_cli(args: list[str]) -> None:
    from mentiondesk.cli import main

    result = CliRunner().invoke(main, ["train", *args])
    if result.exit_code != 0:
        raise SystemExit(f"train failed: {result.output}{result.stderr}{result.exception!r}")


def main() -> int:
    from rules.data import DEFAULT_DATA_DIR, load_shared
    from rules.trained import TrainedClassifier
    from rules.training import evaluate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()

    shared = load_shared(args.data, weak=False)
    domain = [e for e in shared if e.source == "crowdflower"]
    added = [e for e in domain if e.split == "train"][: args.n]
    rest = [e for e in domain if e.split == "dev"]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base_dir = without_domain(args.data, work / "shared")
        labels = work / "domain.csv"
        with labels.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label", "sentiment"])
            writer.writerows([e.text, e.label, e.sentiment] for e in added)
        train_cli(["--output", str(work / "base"), "--shared-data", str(base_dir)])
        train_cli(
            ["--output", str(work / "more"), "--shared-data", str(base_dir), "--data", str(labels), "--hold-out", "0"]
        )
        before = evaluate(TrainedClassifier.load(work / "base"), rest)
        after = evaluate(TrainedClassifier.load(work / "more"), rest)

    print(f"domain: CrowdFlower SXSW brand tweets; added {len(added)} labeled rows; scored on {len(rest)} others")
    print(f"{'metric':<24}{'base':>8}{'+data':>8}{'gain':>8}")
    for key in ("label_macro_f1", "sentiment_macro_f1", "complaint_macro_f1"):
        print(f"{key:<24}{before[key]:>8.3f}{after[key]:>8.3f}{after[key] - before[key]:>+8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
