"""The brand file, settings and starter files: bad input is refused with file, line and key."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mentiondesk.cli import main
from mentiondesk.core.brands import load_brands, parse_brands
from mentiondesk.core.errors import ConfigError
from mentiondesk.settings import Settings
from mentiondesk.starter import BRANDS_TEMPLATE, ENV_TEMPLATE

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
[brands.acme]
name = "Acme"
keywords = ["acme coffee"]

[brands.acme.handles]
x = ["@AcmeCoffee"]

[brands.acme.reply_policy]
auto_thank = true
quiet_hours = "22:00-07:00"
"""


@pytest.mark.parametrize(
    ("change", "line", "key", "words"),
    [
        (
            ("auto_thank = true", "auto_thank = true\ndaily_capp = 3"),
            10,
            "brands.acme.reply_policy.daily_capp",
            "unknown key",
        ),
        (('"22:00-07:00"', '"25:00"'), 10, "brands.acme.reply_policy.quiet_hours", "HH:MM-HH:MM"),
        (("x = ", "tiktok = "), 6, "brands.acme.handles.tiktok", "unknown platform 'tiktok'; use 'x', 'reddit'"),
        (('name = "Acme"\n', ""), 1, "brands.acme.name", "missing required key 'name'"),
        (("auto_thank = true", 'auto_thank = "yes please"'), 9, "brands.acme.reply_policy.auto_thank", "boolean"),
    ],
)
def test_a_wrong_brand_file_names_line_and_key(change, line, key, words):
    old, new = change
    with pytest.raises(ConfigError) as caught:
        parse_brands(GOOD.replace(old, new), path="brands.toml")
    error = caught.value
    assert (error.path, error.line, error.key) == ("brands.toml", line, key)
    assert words in str(error)
    assert str(error).startswith(f"brands.toml:{line} [{key}]")


def test_broken_toml_names_its_line():
    with pytest.raises(ConfigError) as caught:
        parse_brands('[brands.a]\nname = "A"\nkeywords = ["x"\n', path="b.toml")
    assert caught.value.line is not None and "not valid TOML" in str(caught.value)


def test_a_brand_with_nothing_to_listen_for_is_refused():
    with pytest.raises(ConfigError, match="at least one handle or keyword"):
        parse_brands('[brands.a]\nname = "A"\n')


def test_handles_lose_their_at_sign():
    assert parse_brands(GOOD).brands["acme"].handles["x"] == ["AcmeCoffee"]


def test_missing_file_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(ConfigError, match="mentiondesk init"):
        load_brands(tmp_path / "nope.toml")


def test_init_writes_a_valid_commented_starter(tmp_path: Path):
    result = CliRunner().invoke(main, ["init", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    brands = load_brands(tmp_path / "brands.toml")
    assert "acme" in brands.brands
    assert (tmp_path / "brands.toml").read_text().count("#") > 10
    assert (tmp_path / ".env").read_text() == ENV_TEMPLATE
    again = CliRunner().invoke(main, ["init", "--dir", str(tmp_path)])
    assert "kept" in again.output  # never overwrites without --force


def test_env_example_lists_every_setting():
    example = (ROOT / ".env.example").read_text()
    assert example == ENV_TEMPLATE
    names = set(re.findall(r"^(MENTIONDESK_[A-Z_]+)=", example, flags=re.M))
    expected = {f"MENTIONDESK_{field.upper()}" for field in Settings.model_fields}
    assert names == expected


def test_starter_brand_file_parses():
    assert parse_brands(BRANDS_TEMPLATE).brands["acme"].reply_policy.auto_thank is False


def _run(args: list[str], cwd: Path, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "mentiondesk.cli", *args],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_bad_config_is_one_line_not_a_traceback(tmp_path: Path):
    (tmp_path / "brands.toml").write_text(GOOD.replace("auto_thank = true", "auto_thank = 3"))
    (tmp_path / "m.jsonl").write_text('{"id": "1", "text": "hi", "author": "a"}\n')
    result = _run(["import", "m.jsonl"], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "brands.toml:9 [brands.acme.reply_policy.auto_thank]" in result.stderr


def test_bad_setting_names_the_variable(tmp_path: Path):
    result = _run(["queue"], tmp_path, {"MENTIONDESK_PORT": "eighty"})
    assert result.returncode == 2 and "MENTIONDESK_PORT" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_database_is_one_clear_line(tmp_path: Path):
    result = _run(["queue"], tmp_path, {"MENTIONDESK_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert result.returncode == 2 and "MENTIONDESK_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_starter_files_work_as_written(tmp_path: Path):
    """`mentiondesk init` then a command in that folder: the starter .env's empty values mean "not set"."""
    assert CliRunner().invoke(main, ["init", "--dir", str(tmp_path)]).exit_code == 0
    (tmp_path / "m.jsonl").write_text('{"id": "1", "text": "@AcmeCoffee my order is late", "author": "a"}\n')
    imported = _run(["import", "m.jsonl", "--json"], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["stored"] == 1
    listed = _run(["queue", "--json"], tmp_path)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1


def test_a_platform_table_is_checked_against_its_descriptor():
    with pytest.raises(ConfigError) as caught:
        parse_brands(GOOD + '\n[brands.acme.reddit]\nsubredits = ["coffee"]\n', path="brands.toml")
    assert "[reddit] unknown key 'subredits'" in str(caught.value)
    assert str(caught.value).startswith("brands.toml:1 [brands.acme]")
