"""Replay files: every valid row stored, every broken row rejected alone and reported once by line (never with
its text), a second import stores nothing. Run through the real CLI against SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from listener.replay import ReplaySource, read_rows
from mentiondesk.cli import main
from mentiondesk.settings import get_settings
from storage.models import Mention
from tests.conftest import TEST_BRANDS

SECOND_BRAND = """
[brands.bolt]
name = "Bolt Bikes"
keywords = ["bolt bikes"]

[brands.bolt.handles]
replay = ["BoltBikes"]
"""

# Every mention text below carries this word; no line the CLI prints may contain it.
MARK = "zebracanary"

JSONL_ROWS = [
    f'{{"id": "1", "text": "@AcmeCoffee my order is late again {MARK}", "author": "ana", '
    '"created_at": "2026-11-20T10:00:00Z"}',
    f'{{"id": "2", "text": "@AcmeCoffee love the new roast! {MARK}", "author": "ben", "followers": 12}}',
    "{this is not json",
    '{"id": "3", "author": "cy"}',
    '["a", "list"]',
    f'{{"id": "4", "text": "@AcmeCoffee <script>alert(1)</script> {MARK}", "author": "dee", '
    '"created_at": "yesterday"}',
    "",
    f'{{"id": "5", "text": "@AcmeCoffee do you ship to Canada? {MARK}", "author": "eve", "followers": "many"}}',
    f'{{"id": "6", "text": "@AcmeCoffee \\u202ereversed\\u200b {MARK}", "author": "fay", "found_via": "keyword"}}',
]


@dataclass
class Desk:
    """A working directory with a brand file and a database, and the CLI pointed at both."""

    root: Path
    engine: Engine
    url: str

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def run(self, *args: str) -> Result:
        get_settings.cache_clear()
        return CliRunner().invoke(main, list(args))

    def run_process(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The CLI as a user runs it: its own process, real stderr, real logging."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
        env["MENTIONDESK_DATABASE_URL"] = self.url
        return subprocess.run(
            [sys.executable, "-m", "mentiondesk.cli", *args],
            cwd=self.root,
            env=env,
            text=True,
            capture_output=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )

    def stored(self) -> dict[str, str]:
        """external id -> brand of every stored mention."""
        with Session(self.engine) as session:
            return dict(session.exec(select(Mention.external_id, Mention.brand)).all())


def make_desk(root: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch, brands: str) -> Iterator[Desk]:
    monkeypatch.chdir(root)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_") and key != "MENTIONDESK_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", url)
    (root / "brands.toml").write_text(brands)
    get_settings.cache_clear()
    yield Desk(root=root, engine=engine, url=url)
    get_settings.cache_clear()


@pytest.fixture
def desk(any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """One brand; SQLite and PostgreSQL."""
    yield from make_desk(tmp_path, any_engine, monkeypatch, TEST_BRANDS)


@pytest.fixture
def two_brand_desk(any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    yield from make_desk(tmp_path, any_engine, monkeypatch, TEST_BRANDS + SECOND_BRAND)


@pytest.fixture
def sqlite_desk(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    yield from make_desk(tmp_path, engine, monkeypatch, TEST_BRANDS)


def jsonl(*rows: dict[str, object]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def good(i: int, **extra: object) -> dict[str, object]:
    return {
        "id": str(i),
        "text": f"@AcmeCoffee order {i} is late {MARK}",
        "author": f"user{i}",
        "created_at": "2026-11-20T10:00:00Z",
        **extra,
    }


def assert_clean(output: str) -> None:
    """What a user must never see: a traceback, or any mention's text."""
    assert "Traceback" not in output
    assert MARK not in output


# --- the basics ----------------------------------------------------------------------------------------


def test_broken_rows_are_reported_by_line_and_the_rest_stored(sqlite_desk: Desk):
    path = sqlite_desk.write("export.jsonl", "\n".join(JSONL_ROWS) + "\n")
    result = sqlite_desk.run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stored"] == 3
    assert [s["line"] for s in report["skipped"]] == [3, 4, 5, 6, 8]
    reasons = {s["line"]: s["error"] for s in report["skipped"]}
    assert "not valid JSON" in reasons[3]
    assert reasons[4] == "text: missing"
    assert reasons[6].startswith("created_at: ")
    assert reasons[8] == "followers: must be a whole number"
    assert sorted(sqlite_desk.stored()) == ["1", "2", "6"]
    assert_clean(result.output)


def test_importing_twice_stores_nothing_new(sqlite_desk: Desk):
    path = sqlite_desk.write("export.jsonl", "\n".join(JSONL_ROWS) + "\n")
    sqlite_desk.run("import", str(path))
    again = json.loads(sqlite_desk.run("import", str(path), "--json").output)
    assert again["stored"] == 0 and again["already_known"] == 3
    assert sorted(sqlite_desk.stored()) == ["1", "2", "6"]


def test_csv_export_with_a_broken_row(sqlite_desk: Desk):
    path = sqlite_desk.write(
        "export.csv",
        "id,text,author,created_at\n"
        '10,"@AcmeCoffee multi\nline, with comma",gil,2026-11-20T10:00:00+01:00\n'
        "11,only two columns\n"
        "12,@AcmeCoffee thanks!,hal,Tue Oct 31 22:10:47 +0000 2017\n",
    )
    report = json.loads(sqlite_desk.run("import", str(path), "--json").output)
    assert report["stored"] == 2
    assert report["skipped"] == [{"line": 4, "field": None, "error": "expected 4 columns, found 2"}]


def test_hostile_rows_are_kept_verbatim(tmp_path: Path):
    hostile = "@AcmeCoffee <img src=x onerror=alert(1)> \u202e\u200b\U0001f600" + "x" * 10_000
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"id": "h", "text": hostile, "author": "mal"}) + "\n")
    [row] = list(read_rows(path, brand="acme"))
    assert row.mention is not None and row.mention.text == hostile


def test_replay_resumes_from_its_cursor(tmp_path: Path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps({"id": str(i), "text": f"t{i}", "author": "a"}) for i in range(7)))
    source = ReplaySource(path, brand="acme", batch_size=3)
    first = source.fetch(None)
    resumed = ReplaySource(path, brand="acme", batch_size=3).fetch(first.cursor)  # a fresh process
    assert [m.external_id for m in first.mentions] == ["0", "1", "2"] and first.more
    assert [m.external_id for m in resumed.mentions] == ["3", "4", "5"]


def test_missing_file_is_one_clear_line(sqlite_desk: Desk):
    result = sqlite_desk.run("import", "nope.jsonl")
    assert result.exit_code == 2 and "nope.jsonl: no such file" in result.output


# --- bad bytes and impossible values (issue 8, item 4) ---------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_line_that_is_not_utf8_is_rejected_alone(sqlite_desk: Desk, suffix: str):
    latin1 = f"@AcmeCoffee caf\xe9 au lait {MARK}".encode("latin-1")
    if suffix == ".csv":
        lines = [b"id,text,author"] + [f"{i},@AcmeCoffee order {i} {MARK},u{i}".encode() for i in range(1, 1001)]
        lines[500] = b"500," + latin1 + b",u500"
    else:
        lines = [json.dumps(good(i)).encode() for i in range(1, 1001)]
        lines[499] = b'{"id": "500", "text": "' + latin1 + b'", "author": "u500"}'
    path = sqlite_desk.write("export" + suffix, b"\n".join(lines) + b"\n")
    result = sqlite_desk.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert f"line {501 if suffix == '.csv' else 500}: not UTF-8 text (byte 0xe9" in result.output
    stored = sqlite_desk.stored()
    assert len(stored) == 999 and "500" not in stored
    assert_clean(result.output)


IMPOSSIBLE_ROWS = {
    "NUL in text": (good(0, text=f"@AcmeCoffee nul \u0000 here {MARK}"), "text: contains a NUL character (U+0000)"),
    "lone surrogate in text": (
        good(0, text=f"@AcmeCoffee cut emoji \ud83d {MARK}"),
        "text: contains an unpaired surrogate (U+D83D)",
    ),
    "NUL in author": (good(0, author="ana\u0000"), "author: contains a NUL character (U+0000)"),
    "id too long": (good(0, id="9" * 65), "id: longer than 64 characters"),
    "author too long": (good(0, author="a" * 256), "author: longer than 255 characters"),
    "parent id too long": (good(0, parent_id="p" * 65), "parent_id: longer than 64 characters"),
    "language too long": (good(0, lang="x" * 17), "lang: longer than 16 characters"),
    "huge follower count": (good(0, followers=10**30), "followers: out of range (at most 2,147,483,647)"),
    "follower count past 32 bits": (good(0, followers=2**31), "followers: out of range (at most 2,147,483,647)"),
    "infinite follower count": (good(0, followers=float("inf")), "followers: must be a whole number"),
    "date UTC pushes past year 9999": (
        good(0, created_at="9999-12-31T23:59:59-01:00"),
        "created_at: not a date (use ISO 8601)",
    ),
}


@pytest.mark.parametrize("case", list(IMPOSSIBLE_ROWS))
def test_a_row_the_database_cannot_store_is_rejected_alone(desk: Desk, case: str):
    bad, reason = IMPOSSIBLE_ROWS[case]
    rows = [good(i) for i in range(1, 401)]
    rows[149] = {**bad, "id": bad["id"] if bad["id"] != "0" else "150"}  # line 150, inside the first batch
    path = desk.write("export.jsonl", jsonl(*rows))
    result = desk.run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(s["line"], s["error"]) for s in report["skipped"]] == [(150, reason)]
    assert report["stored"] == 399 and len(desk.stored()) == 399
    assert_clean(result.output)


def test_a_huge_number_in_json_is_rejected_without_a_crash(sqlite_desk: Desk):
    path = sqlite_desk.write(
        "export.jsonl",
        jsonl(good(1))
        + '{"id": "2", "text": "t", "author": "b", "followers": '
        + "9" * 5000
        + "}\n"
        + '{"id": "3", "text": "t", "author": "c", "followers": "'
        + "9" * 5000
        + '"}\n'
        + jsonl(good(4)),
    )
    report = json.loads(sqlite_desk.run("import", str(path), "--json").output)
    assert [(s["line"], s["error"]) for s in report["skipped"]] == [
        (2, "not valid JSON (a number too long or nesting too deep)"),
        (3, "followers: out of range (at most 2,147,483,647)"),
    ]
    assert sorted(sqlite_desk.stored()) == ["1", "4"]


def _refuse_rows_saying_poison(engine: Engine) -> None:
    """A rule of the database's own that our checks know nothing about: the last line of defence is tested
    with a real refusal, not a mock."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON mention WHEN NEW.text LIKE '%poison%' "
                    "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
                )
            )
        else:
            conn.execute(text("ALTER TABLE mention ADD CONSTRAINT no_poison CHECK (text NOT LIKE '%poison%')"))


def test_a_batch_the_database_refuses_is_stored_row_by_row(desk: Desk):
    _refuse_rows_saying_poison(desk.engine)
    rows = [good(i) for i in range(1, 1201)]
    rows[699] = good(700, text=f"@AcmeCoffee poison {MARK}")
    path = desk.write("export.jsonl", jsonl(*rows))
    result = desk.run("import", str(path))
    assert result.exit_code == 0, result.output
    stored = desk.stored()
    assert len(stored) == 1199 and "700" not in stored
    [line] = [ln for ln in result.output.splitlines() if ln.strip().startswith("line ")]
    assert line.strip().startswith("line 700: database: refused this row (")
    # PostgreSQL's own message quotes the failing row; SQLAlchemy's lists all 500 rows of the batch.
    assert_clean(result.output)
    assert "1199 new stored" in result.output and "1 rejected" in result.output


# --- brands ----------------------------------------------------------------------------------------------


def test_each_row_names_its_brand_when_several_exist(two_brand_desk: Desk):
    path = two_brand_desk.write("export.jsonl", jsonl(good(1, brand="acme"), good(2, brand="bolt")))
    result = two_brand_desk.run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["skipped"] == []
    assert two_brand_desk.stored() == {"1": "acme", "2": "bolt"}


def test_a_row_without_a_known_brand_is_rejected_by_line(two_brand_desk: Desk):
    path = two_brand_desk.write("export.jsonl", jsonl(good(1, brand="acme"), good(2), good(3, brand="nope")))
    result = two_brand_desk.run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    skipped = {s["line"]: s["error"] for s in json.loads(result.output)["skipped"]}
    assert skipped == {
        2: "brand: missing, and no default brand was given; name one with --brand (acme, bolt)",
        3: "brand: unknown brand 'nope'; the brand file has acme, bolt",
    }
    assert two_brand_desk.stored() == {"1": "acme"}


def test_brand_option_is_for_rows_that_name_none(two_brand_desk: Desk):
    path = two_brand_desk.write("export.jsonl", jsonl(good(1), good(2, brand="acme")))
    result = two_brand_desk.run("import", str(path), "--brand", "bolt")
    assert result.exit_code == 0, result.output
    assert two_brand_desk.stored() == {"1": "bolt", "2": "acme"}


def test_an_unknown_brand_option_is_one_clear_line(two_brand_desk: Desk):
    path = two_brand_desk.write("export.jsonl", jsonl(good(1)))
    result = two_brand_desk.run("import", str(path), "--brand", "nope")
    assert result.exit_code == 2 and "no brand 'nope' in the brand file" in result.output


# --- reporting and CSV quotes (issue 12) -------------------------------------------------------------------


def test_each_broken_row_is_reported_once(sqlite_desk: Desk):
    rows = [json.dumps(good(i)) for i in range(1, 11)]
    rows[2] = "{this is not json"
    rows[6] = json.dumps(good(7, followers=-1))
    path = sqlite_desk.write("export.jsonl", "\n".join(rows) + "\n")
    done = sqlite_desk.run_process("import", str(path))
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert output.count("not valid JSON") == 1
    assert output.count("followers: must not be negative") == 1
    assert [ln.strip() for ln in done.stderr.splitlines() if ln.strip().startswith("line ")] == [
        "line 3: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 7: followers: must not be negative",
    ]
    assert_clean(output)


CSV_HEADER = "id,text,author,created_at\n"
WHEN = "2026-11-20T10:00:00Z"


@pytest.mark.parametrize(
    "after",
    [
        pytest.param([], id="runs to the end of the file"),
        pytest.param([f'9,"@AcmeCoffee quoted, with comma {MARK}",ivy,{WHEN}'], id="ends at a later quoted field"),
        pytest.param([f'9,@AcmeCoffee stray quote" {MARK},ivy,{WHEN}'], id="ends at a later stray quote"),
        pytest.param([f'9,@AcmeCoffee stray quote {MARK}",ivy,{WHEN}'], id="ends cleanly at a later stray quote"),
    ],
)
def test_an_unclosed_quote_does_not_swallow_the_next_rows(sqlite_desk: Desk, after: list[str]):
    lines = [
        f"1,@AcmeCoffee fine {MARK},ana,{WHEN}",
        f'4,"@AcmeCoffee a real\nmulti-line text, {MARK}",dee,{WHEN}',
        f'2,"@AcmeCoffee unclosed quote {MARK},ben,{WHEN}',  # line 5
        f"3,@AcmeCoffee next row {MARK},cy,{WHEN}",
        f"5,@AcmeCoffee last row {MARK},eve,{WHEN}",
        *after,
    ]
    path = sqlite_desk.write("export.csv", CSV_HEADER + "\n".join(lines) + "\n")
    result = sqlite_desk.run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [s["line"] for s in report["skipped"]] == [5]
    assert report["skipped"][0]["error"].startswith("broken CSV row")
    assert sorted(sqlite_desk.stored()) == sorted(["1", "3", "4", "5"] + (["9"] if after else []))
    assert_clean(result.output)


def test_a_multi_line_text_that_holds_numbered_lines_stays_one_row(sqlite_desk: Desk):
    path = sqlite_desk.write(
        "export.csv",
        CSV_HEADER + f'1,"@AcmeCoffee my order:\n2, latte, \n3, croissant {MARK}",ana,{WHEN}\n'
        f"4,@AcmeCoffee thanks {MARK},ben,{WHEN}\n",
    )
    report = json.loads(sqlite_desk.run("import", str(path), "--json").output)
    assert report["skipped"] == [] and sorted(sqlite_desk.stored()) == ["1", "4"]


def test_a_csv_header_without_required_columns_is_one_clear_line(sqlite_desk: Desk):
    path = sqlite_desk.write("export.csv", "tweet,who\nhello,ana\n")
    result = sqlite_desk.run("import", str(path))
    assert result.exit_code == 2
    assert "export.csv:1: the CSV header has no column for id (id, external_id, tweet_id)" in result.output


def test_a_long_path_does_not_break_the_source_column(desk: Desk):
    folder = desk.root / ("d" * 60) / ("e" * 60)
    folder.mkdir(parents=True)
    path = folder / "export.jsonl"
    path.write_text(jsonl(good(1)))
    result = desk.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert list(desk.stored()) == ["1"]


def test_a_database_that_cannot_take_rows_stops_the_import_with_one_line(desk: Desk):
    with desk.engine.begin() as conn:  # a schema the import cannot write to: every row would fail alike
        conn.execute(text("DROP TABLE classification"))
    path = desk.write("export.jsonl", jsonl(*(good(i) for i in range(1, 31))))
    result = desk.run("import", str(path))
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: [MENTIONDESK_DATABASE_URL]: the database failed while storing lines 1-30 (")
    assert_clean(result.output)
    assert desk.stored() == {}


def test_a_long_list_of_rejected_rows_is_cut_short_on_screen(sqlite_desk: Desk):
    path = sqlite_desk.write("export.jsonl", "{broken\n" * 150 + jsonl(good(151)))
    result = sqlite_desk.run("import", str(path))
    listed = [ln for ln in result.output.splitlines() if ln.strip().startswith("line ")]
    assert len(listed) == 100 and "… and 50 more rejected rows (--json lists them all)" in result.output
    report = json.loads(sqlite_desk.run("import", str(path), "--json").output)
    assert len(report["skipped"]) == 150
