"""Helpers shared by commands: JSON output, brand choice, stopping on a signal."""

from __future__ import annotations

import json
import signal
import threading
from types import FrameType
from typing import Any

import click

from mentiondesk.core.brands import BrandConfig
from mentiondesk.core.errors import ConfigError


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


def pick_brand(brands: BrandConfig, key: str | None) -> str:
    if key:
        brands.get(key)
        return key
    if len(brands.brands) == 1:
        return next(iter(brands.brands))
    raise ConfigError(f"several brands configured; choose one with --brand ({', '.join(brands.brands)})")


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, for a command that runs until stopped and then finishes what it holds.
    Installed explicitly: a command started in the background by a shell inherits SIGINT ignored, and Python
    then raises no KeyboardInterrupt, so Ctrl-C or `kill -INT` would do nothing."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop
