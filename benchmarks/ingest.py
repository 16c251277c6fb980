"""Ingest throughput: a replay file of N mentions to stored, classified, routed drafts on SQLite.

    python benchmarks/ingest.py [--mentions 50000]

Goal (issue 2): at least 2,000 mentions/s."""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listener.demo_corpus import DEMO_MENTIONS  # noqa: E402
from listener.replay import ReplaySource  # noqa: E402
from mentiondesk.demo import demo_brands  # noqa: E402
from mentiondesk.pipeline import Pipeline  # noqa: E402
from rules.classifier import load_classifier, warm_up  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.models import Draft, Mention  # noqa: E402


def write_replay(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            item = DEMO_MENTIONS[rng.randrange(len(DEMO_MENTIONS))]
            row = {
                "id": f"bench-{i}",
                "text": f"{item.text} #{i % 97}",
                "author": f"{item.author}{rng.randrange(5000)}",
                "author_name": item.name,
                "followers": item.followers,
                "created_at": (start + timedelta(seconds=30 * i)).isoformat(),
                "lang": item.lang,
                "found_via": item.via,
                "platform": "replay",
                "brand": "northwind",
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "replay.jsonl"
        write_replay(path, args.mentions)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        classifier = load_classifier()
        warm_up(classifier)  # as `run` does: models load before the first batch is timed
        pipeline = Pipeline(engine=engine, brands=demo_brands(), classifier=classifier)
        source = ReplaySource(path, brand="northwind", batch_size=1000)
        began, cpu_began = time.perf_counter(), time.process_time()
        outcome = pipeline.poll(source, max_pages=1_000_000)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        with Session(engine) as session:
            mentions = session.exec(select(func.count()).select_from(Mention)).one()
            drafts = session.exec(select(func.count()).select_from(Draft)).one()
    print(f"classifier: {classifier.version}")
    print(f"mentions read: {outcome.fetched}, stored: {mentions}, drafts: {drafts}")
    print(f"elapsed: {elapsed:.2f} s wall, {cpu:.2f} s CPU (one process; on a busy host the CPU figure moves less)")
    print(f"throughput: {mentions / elapsed:,.0f} mentions/s (goal >= 2,000/s); {mentions / cpu:,.0f} per CPU-second")


if __name__ == "__main__":
    main()
