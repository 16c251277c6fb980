"""Durations as people read them: 45m, 3h 20m, 1d 8h."""

from __future__ import annotations


def minutes_label(minutes: float | None) -> str:
    """`–` for no value, `<1m`, `45m`, `3h 20m` under a day, `1d 8h` from a day on."""
    if minutes is None:
        return "–"
    minutes = max(0.0, minutes)
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{int(minutes)}m"
    if minutes < 24 * 60:
        rest = int(minutes % 60)
        return f"{int(minutes // 60)}h" + (f" {rest}m" if rest else "")
    hours = int(minutes % 1440 // 60)
    return f"{int(minutes // 1440)}d" + (f" {hours}h" if hours else "")
