"""`mentiondesk report --tag T`: the week's volume, sentiment, themes, response times and repeat customers count
only the mentions tagged T (both weeks), the title names the tag, and share of voice stays the whole brand's."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import col, select

from mentiondesk.cli import main
from responders.team import add_tag
from storage.db import make_engine, transaction
from storage.models import Mention
from tests.test_report import desk  # noqa: F401


def tag_the_repeat_complaints(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'mentiondesk.db'}")
    with transaction(engine) as session:
        again = session.exec(select(Mention.id).where(col(Mention.text).endswith(" again"))).all()
        assert len(again) == 5
        for mention_id in again:
            add_tag(mention_id or 0, session=session, actor="maria", tag="Late-Order")
    engine.dispose()


def summary(html: str, label: str) -> list[str]:
    row = re.search(rf"<td>{re.escape(label)}</td>(.*?)</tr>", html, re.S)
    assert row, label
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def voice(html: str) -> str:
    section = re.search(r'<section id="voice">(.*?)</section>', html, re.S)
    assert section
    return re.sub(r"<h2>.*?</h2>", "", section.group(1), flags=re.S)


def test_a_report_for_one_tag(desk: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    tag_the_repeat_complaints(tmp_path)
    whole = desk.invoke(main, ["report", "--brand", "acme", "--week", "2026-W47", "--output", "all.html"])
    tagged = desk.invoke(
        main, ["report", "--brand", "acme", "--week", "2026-W47", "--tag", "late-order", "--output", "tag.html"]
    )
    assert whole.exit_code == 0 and tagged.exit_code == 0, tagged.output
    assert "weekly report for Acme Coffee, mentions tagged late-order, 2026-W47" in tagged.output
    every, only = (tmp_path / "all.html").read_text(), (tmp_path / "tag.html").read_text()
    assert "<h1>Acme Coffee: week 2026-W47, mentions tagged “late-order”</h1>" in only
    assert "<title>Acme Coffee · weekly report 2026-W47 · tagged late-order</title>" in only
    assert summary(every, "Mentions")[:2] == ["12", "7"]
    assert summary(only, "Mentions")[:2] == ["5", "0"]  # the five tagged, none the week before
    assert summary(only, "Complaints")[0] == "5"
    assert "2 people wrote two or more times (5 mentions)" in re.sub(r"<[^>]+>", "", " ".join(only.split()))
    assert voice(only) == voice(every) and "all of the brand's mentions, not only “late-order”" in only
    assert "Only mentions tagged “late-order”" in only and "tag-filter" not in every


def test_a_tag_nobody_used_or_cannot_be_a_tag(desk: CliRunner, tmp_path: Path) -> None:  # noqa: F811
    unused = desk.invoke(main, ["report", "--week", "2026-W47", "--tag", "nope", "--output", "n.html"])
    assert unused.exit_code == 0 and "no mention is tagged 'nope'" in unused.output
    assert summary((tmp_path / "n.html").read_text(), "Mentions")[:2] == ["0", "0"]
    wrong = desk.invoke(main, ["report", "--week", "2026-W47", "--tag", "<b>x</b>", "--output", "w.html"])
    assert wrong.exit_code == 2 and not (tmp_path / "w.html").exists()
