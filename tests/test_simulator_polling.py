"""Requests per poll through the real poller against the simulator: at most ceil(new/100)+1 per source, and
no mention handed out twice. (benchmarks/polling.py prints the same figures for a 1,000-mention backlog.)"""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine

from listener.base import Batch, Source
from listener.poller import Poller
from listener.simulator import Simulator
from mentiondesk.core.brands import parse_brands
from mentiondesk.platforms import build_sources
from mentiondesk.settings import Settings
from tests.processes import as_background_job

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
languages = ["en", "es", "de"]
handles = { x = ["acme"], reddit = ["acme_support"] }
reddit = { subreddits = ["acme", "gadgets"] }
"""


class Counting:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.name, self.platform, self.brand = source.name, source.platform, source.brand
        self.ids: Counter[str] = Counter()

    def fetch(self, cursor: str | None) -> Batch:
        batch = self.source.fetch(cursor)
        self.ids.update(m.external_id for m in batch.mentions)
        return batch


def test_backlog_costs_at_most_one_request_per_hundred_plus_one(engine: Engine) -> None:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]},
        keywords=["acme"],
        subreddits=["acme", "gadgets"],
        seed=2,
    ) as sim:
        values = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]
        poller = Poller(engine)
        sources = [Counting(s) for s in build_sources(parse_brands(BRANDS), settings)]
        for source in sources:
            poller.poll(source)
            source.ids.clear()
        sim.add_mentions(450, platform="both")
        served_before = len(sim.requests())

        total = 0
        for source in sources:
            outcome = poller.poll(source, max_pages=1000)
            new = sum(source.ids.values())
            assert outcome.status == "ok", outcome.message
            assert outcome.requests <= math.ceil(new / 100) + 1, (source.name, new, outcome.requests)
            assert max(source.ids.values(), default=1) == 1, f"{source.name} handed out a mention twice"
            total += outcome.requests
        assert len(sim.requests()) - served_before == total  # the sources count every request they make
        assert sum(sum(s.ids.values()) for s in sources if s.name == "x:acme:mentions:acme") > 250


def test_simulate_command_serves_both_platforms(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mentiondesk.cli",
            "simulate",
            "--x-port",
            "0",
            "--reddit-port",
            "0",
            "--mastodon-port",
            "0",
            "--bluesky-port",
            "0",
            "--hn-port",
            "0",
            "--backlog",
            "5",
            "--per-minute",
            "0",
            "--brands",
            str(tmp_path / "none.toml"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_background_job,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        x_url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        assert x_url, lines
        for name, line in zip(("Mastodon", "Bluesky", "Hacker News"), lines[2:], strict=True):
            assert line.startswith(name) and re.search(r"http://127\.0\.0\.1:\d+", line), lines
        with urllib.request.urlopen(f"{x_url.group(0)}/_sim/stats") as response:  # noqa: S310 - 127.0.0.1
            stats = json.load(response)
        assert stats["tweets"] >= 5 and stats["replies"] == 0
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0
