"""Helpers shared by commands: JSON output, brand choice."""

from __future__ import annotations

import json
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
