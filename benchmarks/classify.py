"""Classifier throughput on one core, with VADER's on the same texts in the same run.

    /work/venv/bin/python benchmarks/classify.py [--n 50000] [--model DIR] [--data DIR]

Pins the process to one CPU and one BLAS/OpenMP thread before numpy loads. Texts are real tweets from the
shared corpora (distinct texts, so no cache flatters the figure); without them, generated mentions.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "unpinned (no sched_setaffinity)"


def mention_texts(n: int, data_dir: Path) -> list[str]:
    from rules.data import load_shared

    texts: list[str] = []
    if data_dir.is_dir():
        texts = list(dict.fromkeys(e.text for e in load_shared(data_dir, weak=False)))
    if len(texts) < n:
        texts += generated(n - len(texts))
    random.Random(7).shuffle(texts)
    return texts[:n]


def generated(n: int) -> list[str]:
    rng = random.Random(11)
    brands = ["@acme", "@delta", "@united", "@AppleSupport", "@comcastcares"]
    bodies = [
        "still waiting for my refund, {d} days now",
        "thank you so much, the crew was amazing",
        "why is my flight delayed again?",
        "on hold for {d} hours... please help, thx",
        "love the new update, works great",
        "my order #{d}{d} never arrived",
    ]
    return [f"{rng.choice(brands)} {rng.choice(bodies).format(d=rng.randint(2, 9))} #{i}" for i in range(n)]


def rate(fn: Callable[[list[str]], object], texts: list[str]) -> tuple[float, float]:
    """Mentions per second of wall time and per second of this process's CPU time. On a busy host the CPU
    figure moves less (other work only slows it through shared caches), so both are printed."""
    started, cpu = time.perf_counter(), time.process_time()
    fn(texts)
    return len(texts) / (time.perf_counter() - started), len(texts) / max(1e-9, time.process_time() - cpu)


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> int:
    from rules.data import DEFAULT_DATA_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--repeat", type=int, default=2, help="Best of this many runs (the host may be busy).")
    args = parser.parse_args()

    where = pin_to_one_core()
    texts = mention_texts(args.n, args.data)

    from rules.classifier import load_classifier

    classifier = load_classifier(args.model)
    classifier.classify(texts[:500])  # load lazily-built tables outside the timing
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        vader = None
    else:
        analyzer = SentimentIntensityAnalyzer()

        def vader(batch: list[str]) -> object:
            return [analyzer.polarity_scores(t) for t in batch]

    ours = ours_cpu = vader_rate = vader_cpu = 0.0
    load_before = load_average()
    for _ in range(max(1, args.repeat)):  # interleaved, so both see the same load on the host
        wall, cpu = rate(classifier.classify, texts)
        ours, ours_cpu = max(ours, wall), max(ours_cpu, cpu)
        if vader is not None:
            wall, cpu = rate(vader, texts)
            vader_rate, vader_cpu = max(vader_rate, wall), max(vader_cpu, cpu)

    print(f"texts: {len(texts)} mentions, {where}, 1 thread, best of {max(1, args.repeat)}")
    print(f"load average (1, 5, 15 min): {load_before} before, {load_average()} after")
    print(f"mentiondesk ({classifier.version}): {ours:,.0f} mentions/s ({ours_cpu:,.0f} per CPU-second)")
    if vader is None:
        print("vader: not installed (pip install vaderSentiment)")
    else:
        print(
            f"vader: {vader_rate:,.0f} mentions/s ({vader_cpu:,.0f} per CPU-second)  (ours is {ours / vader_rate:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
