"""Jinja filters: ages, counts and word diffs. Output is escaped here, then marked safe."""

from __future__ import annotations

import difflib
import re
from datetime import datetime

from jinja2 import Environment
from markupsafe import Markup, escape

from storage.models import as_utc, utcnow

# Bidi controls can flip how the rest of a line reads; show them as visible marks instead.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def minutes_label(minutes: float | None) -> str:
    if minutes is None:
        return "–"
    minutes = max(0.0, minutes)
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{int(minutes)}m"
    if minutes < 48 * 60:
        rest = int(minutes % 60)
        return f"{int(minutes // 60)}h" + (f" {rest}m" if rest else "")
    return f"{int(minutes // 1440)}d {int(minutes % 1440 // 60)}h"


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


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def plain(value: str | None) -> Markup:
    """Untrusted text as text: escaped, bidi overrides made visible, line breaks kept."""
    text = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", value or "")
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
    env.filters.update(age=age, stamp=stamp, count=count, pct=pct, plain=plain, minutes=minutes_label)
    env.globals["word_diff"] = word_diff
