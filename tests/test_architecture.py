"""The layer contracts in pyproject.toml (checked by `lint-imports` in CI) must name every shell module, or a new
one would slip under them."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def shell_modules() -> set[str]:
    package = ROOT / "mentiondesk"
    names = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    return {f"mentiondesk.{name}" for name in names - {"core"}}


def test_every_lower_layer_is_kept_from_every_shell_module():
    for contract in contracts():
        forbidden = set(contract["forbidden_modules"])  # type: ignore[call-overload]
        missing = shell_modules() - forbidden
        assert not missing, f"{contract['name']}: add {sorted(missing)} to its forbidden_modules"


def test_the_layers_are_all_there():
    sources = {module for c in contracts() for module in c["source_modules"]}  # type: ignore[attr-defined]
    assert sources == {"mentiondesk.core", "storage", "rules", "listener", "responders"}
