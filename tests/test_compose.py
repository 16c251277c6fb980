"""compose.yaml: the database, the service and the desk, each with a command our CLI accepts; validated by
`docker compose config` (or the standalone docker-compose) where one is installed."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from mentiondesk.cli import main

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def parses_as_our_command(argv: list[str]) -> click.Context:
    """The arguments our CLI would run, parsed by its real command without running it."""
    assert argv[0] == "mentiondesk"
    group_ctx = main.make_context("mentiondesk", [argv[1]], resilient_parsing=True)
    command = main.get_command(group_ctx, argv[1])
    assert command is not None, f"no command {argv[1]!r}"
    return command.make_context(argv[1], argv[2:])


def test_compose_runs_postgresql_the_service_and_the_desk() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "service", "desk"}
    assert services["db"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["service"]["command"] == ["mentiondesk", "run"]
    desk = parses_as_our_command(services["desk"]["command"])
    assert desk.info_name == "serve" and desk.params["host"] == "0.0.0.0" and desk.params["port"] == 8000
    parses_as_our_command(services["service"]["command"])
    for name in ("service", "desk"):
        service = services[name]
        url = service["environment"]["MENTIONDESK_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://mentiondesk:") and url.endswith("@db:5432/mentiondesk")
        assert service["depends_on"] == {"db": {"condition": "service_healthy"}}
        assert service["restart"] == "unless-stopped"
    assert services["desk"]["ports"] == ["127.0.0.1:8000:8000"]
    assert set(compose()["volumes"]) == {"pgdata", "outbox"}


def test_the_image_holds_every_package_the_project_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in (p.rstrip("*") for p in include):
        assert f"COPY {package} {package}" in dockerfile


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    for name in ("compose.yaml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "brands.toml").write_text("")
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=not-a-real-one\n")
    ok = subprocess.run([*cli, "-f", "compose.yaml", "config"], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "postgresql+psycopg://mentiondesk:not-a-real-one@db:5432/mentiondesk" in ok.stdout
    (tmp_path / ".env").write_text("")
    refused = subprocess.run([*cli, "-f", "compose.yaml", "config"], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode != 0 and "set POSTGRES_PASSWORD in .env" in refused.stderr
