"""Jinja filters: ages, counts and word diffs, and the environment's finalize step that shows invisible
characters in every rendered value. Output is escaped here, then marked safe."""

from __future__ import annotations

import difflib
import json
import re
from datetime import datetime

from jinja2 import Environment
from markupsafe import Markup, escape

from mentiondesk.core.durations import minutes_label
from storage.models import as_utc, utcnow

# Characters that change how text reads without being seen are shown as code points ([U+202E]): bidi
# embeddings, overrides, isolates and marks (one can flip the rest of a line), zero-width and other invisible
# characters (the BOM, invisible operators, tags that smuggle hidden text), line and paragraph separators, and
# control characters. Tab and newline are layout and stay. Joiners stay between non-ASCII letters or emoji, where
# scripts and emoji sequences need them, and so do the tags of a subdivision flag such as England's.
_SHOWN = re.compile(
    "(?P<flag>\U0001f3f4[\U000e0020-\U000e007e]{1,8}\U000e007f)"
    "|(?P<joiner>[\u200c\u200d])"
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def age(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return "never"
    delta = ((now or utcnow()) - as_utc(value)).total_seconds() / 60
    return minutes_label(delta) + " ago"


def stamp(value: datetime | None) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def count(value: int | float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def cursor_summary(value: str | None) -> str:
    """A source's cursor as a person reads it: where polling is up to ("since 2026-11-30 23:21 UTC · 3 seen"),
    not the JSON or the page token the source keeps (the page shows that in full on request)."""
    if not value:
        return "—"
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return _cut(value)
    parts = []
    for key, item in parsed.items():
        if isinstance(item, dict | list):
            parts.append(f"{len(item):,} {key}")
        elif key == "since" and isinstance(item, str):
            parts.append(f"since {_moment(item)}")
        else:
            parts.append(f"{key} {_cut(str(item))}")
    return " · ".join(parts) or "—"


_CURSOR_SHOWN = 24


def _cut(text: str) -> str:
    return text if len(text) <= _CURSOR_SHOWN else text[: _CURSOR_SHOWN - 1] + "…"


def _moment(text: str) -> str:
    try:
        return stamp(datetime.fromisoformat(text))
    except ValueError:
        return text


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def visible(text: str) -> str:
    """The text with every invisible or reordering character written as its code point, e.g. [U+202E]."""
    if text.isascii() and text.isprintable():  # most values: nothing to show, and this test is 20 times cheaper
        return text

    def shown(match: re.Match[str]) -> str:
        if match.group("flag"):
            return match.group()
        if match.group("joiner") and _joins(text, match.start() - 1) and _joins(text, match.end()):
            return match.group()
        return f"[U+{ord(match.group()):04X}]"

    return _SHOWN.sub(shown, text)


def _joins(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    char = text[index]
    return ord(char) > 0x7F and not char.isspace() and _SHOWN.fullmatch(char) is None


def finalize(value: object) -> object:
    """The Jinja environment's last step before escaping every {{ expression }}: a template cannot forget to
    make hostile characters visible. Markup was made safe by a filter (plain, word_diff, charts) already."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def visible_escape(value: object) -> Markup:
    """escape() for untrusted text, with invisible characters shown: for markup built in Python (charts)."""
    if isinstance(value, Markup):
        return value
    return escape(visible(str(value)))


def plain(value: str | None) -> Markup:
    """Untrusted text as text: escaped, invisible characters shown as code points, line breaks kept."""
    text = visible(value or "")
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


def word_diff(before: str | None, after: str | None) -> Markup:
    """The change from `before` to `after` word by word, with <del> and <ins>; every piece escaped."""
    old = re.findall(r"\S+|\s+", before or "")
    new = re.findall(r"\S+|\s+", after or "")
    parts: list[Markup] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(plain("".join(old[a1:a2])))
            continue
        if a2 > a1:
            parts.append(Markup("<del>%s</del>") % plain("".join(old[a1:a2])))
        if b2 > b1:
            parts.append(Markup("<ins>%s</ins>") % plain("".join(new[b1:b2])))
    return Markup("").join(parts)


def install(env: Environment) -> None:
    env.finalize = finalize
    # |e and |escape return Markup, which finalize would pass untouched: they show invisible characters too.
    env.filters.update(e=visible_escape, escape=visible_escape, forceescape=lambda v: escape(visible(str(v))))
    env.filters.update(age=age, stamp=stamp, count=count, pct=pct, plain=plain, minutes=minutes_label)
    env.filters["cursor_summary"] = cursor_summary
    env.globals["word_diff"] = word_diff
