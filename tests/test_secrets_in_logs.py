"""No secret in any log, at any level: every command run as a user would, at DEBUG, against the platform
simulator (real tweepy and praw on the wire), with a distinctive value for every credential; then each value is
searched for in everything the commands wrote. MENTIONDESK_LOG_LEVEL chooses the level."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from listener.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
MENTIONDESK = [sys.executable, "-m", "mentiondesk.cli"]
BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]

[brands.acme.handles]
x = ["acme"]
reddit = ["acme_support"]
replay = ["acme"]

[brands.acme.reply_policy]
auto_thank = false
"""
# Every secret setting, with a value that cannot occur by chance.
SECRETS = {
    "MENTIONDESK_X_BEARER_TOKEN": "Xbearer-Q7f2kLw9",
    "MENTIONDESK_X_API_KEY": "Xapikey-R8g3mNx4",
    "MENTIONDESK_X_API_SECRET": "Xapisecret-S9h4nPy5",
    "MENTIONDESK_X_ACCESS_TOKEN": "Xaccesstoken-T1j5pQz6",
    "MENTIONDESK_X_ACCESS_SECRET": "Xaccesssecret-U2k6qRa7",
    "MENTIONDESK_REDDIT_CLIENT_ID": "Rclientid-V3m7rSb8",
    "MENTIONDESK_REDDIT_CLIENT_SECRET": "Rclientsecret-W4n8sTc9",
    "MENTIONDESK_REDDIT_PASSWORD": "Rpassword-X5p9tUd1",
    "MENTIONDESK_SECRET_KEY": "Desksecretkey-Y6q1uVe2",
}
DESK_PASSWORD = "Deskpassword-Z7r2wWf3"
LOUDEST = {"MENTIONDESK_LOG_LEVEL": "DEBUG", "MENTIONDESK_LOG_HTTP": "true"}


class Workspace:
    """A project folder with a brand file and a database, and the environment a user would export."""

    def __init__(self, path: Path, sim: Simulator) -> None:
        self.path = path
        self.sim = sim
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
        self.env.update(sim.env())
        self.env.update(SECRETS)
        # The commands run the code of this checkout, whatever the virtualenv points at.
        self.env.update(
            PYTHONPATH=str(ROOT),
            MENTIONDESK_DATABASE_URL=f"sqlite:///{path / 'desk.db'}",
            MENTIONDESK_REQUEST_TIMEOUT_SECONDS="30",
            MENTIONDESK_SEND_STALE_SECONDS="0",
        )
        self.outputs: dict[str, str] = {}  # what each command wrote, stdout and stderr
        (path / "brands.toml").write_text(BRANDS)

    def run(self, *args: str, extra: dict[str, str] | None = None, verbose: bool = True) -> str:
        argv = [*MENTIONDESK, *(["-v"] if verbose else []), *args]
        result = subprocess.run(
            argv,
            env={**self.env, **(extra or {})},
            cwd=self.path,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        self.outputs[f"{' '.join(args)} {extra or ''} #{len(self.outputs)}"] = result.stdout + result.stderr
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def start(self, *args: str, extra: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*MENTIONDESK, "-v", *args],
            env={**self.env, **(extra or {})},
            cwd=self.path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    def stop(self, name: str, process: subprocess.Popen[str]) -> None:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=90)
        self.outputs[name] = output
        assert process.returncode in (0, -signal.SIGINT, 130), output[-2000:]

    def approve_all(self) -> list[str]:
        drafts = json.loads(self.run("queue", "--json", verbose=False))
        for draft in drafts:
            self.run("queue", "approve", str(draft["id"]), verbose=False)
        return sorted({d["platform"] for d in drafts})


def leaks(outputs: dict[str, str], secrets: dict[str, str]) -> dict[str, list[str]]:
    """Which secret (by setting) appeared in which command's output."""
    found: dict[str, list[str]] = {}
    for command, text in outputs.items():
        for setting, value in secrets.items():
            if value in text:
                found.setdefault(setting, []).append(f"{command} ({text.count(value)}x)")
    return found


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], seed=11
    ) as running:
        yield running


def complaints(sim: Simulator, n: int) -> None:
    """Mentions that get drafts on both platforms."""
    for _ in range(n):
        i = len(sim.requests())
        sim.state.post_tweet(f"@acme order {i} arrived cold and late, not happy", username=f"cust{i}", name="Cust")
        sim.state.post_reddit(
            f"my acme order {i} arrived broken, terrible service", author=f"redditor{i}", mention_account=True
        )


def read_until(process: subprocess.Popen[str], text: str, timeout: float = 120) -> str:
    """What a process printed until a line containing `text` (its start message)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if text in line or (not line and process.poll() is not None):
            break
    return "".join(seen)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sending_at_debug_level_logs_no_credential(tmp_path: Path, sim: Simulator) -> None:
    """The reported case: `mentiondesk -v queue send` with approved replies on X and Reddit."""
    ws = Workspace(tmp_path, sim)
    ws.run("poll", "--once", verbose=False)
    complaints(sim, 2)
    ws.run("poll", "--once", verbose=False)
    assert {"reddit", "x"} <= set(ws.approve_all())
    ws.outputs.clear()
    ws.run("queue", "send")
    assert len(sim.replies("x")) >= 1 and len(sim.replies("reddit")) >= 1
    assert leaks(ws.outputs, SECRETS) == {}


def test_every_command_at_debug_level_logs_no_secret(tmp_path: Path, sim: Simulator) -> None:
    ws = Workspace(tmp_path, sim)
    (tmp_path / "export.jsonl").write_text(
        json.dumps(
            {"id": "imp-1", "text": "@acme my parcel never came", "author": "lee", "created_at": "2026-11-20T07:00:00Z"}
        )
        + "\n"
    )
    ws.run("db", "current", extra=LOUDEST)
    ws.run("user", "add", "maria", "--role", "admin", "--password", DESK_PASSWORD, extra=LOUDEST)
    token = ws.run("user", "token", "maria", extra=LOUDEST).strip()
    assert token.startswith("mdk_")
    ws.run("sources", extra=LOUDEST)
    ws.run("poll", "--once", extra=LOUDEST)
    complaints(sim, 2)
    ws.run("poll", "--once", extra=LOUDEST)
    ws.run("import", "export.jsonl", "--brand", "acme", extra=LOUDEST)
    first = json.loads(ws.run("queue", "--json", extra=LOUDEST))[0]["id"]
    ws.run("queue", "show", str(first), extra=LOUDEST)
    assert {"reddit", "replay", "x"} <= set(ws.approve_all())
    ws.run("queue", "send", extra=LOUDEST)  # HTTP logging on: headers and OAuth parameters, redacted
    ws.run("queue", "send", extra={"MENTIONDESK_LOG_LEVEL": "DEBUG"})
    ws.run("init", "--dir", "starter", extra=LOUDEST)

    complaints(sim, 1)
    service = ws.start("run", "--poll-interval", "1", "--send-interval", "1", extra=LOUDEST)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(ws.run("queue", "--json", verbose=False)) < 2:
        time.sleep(0.5)
    ws.approve_all()
    time.sleep(3)  # a sending round with the new approvals
    ws.stop("run", service)

    port = free_port()
    desk = ws.start("serve", "--port", str(port), extra=LOUDEST)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.25)
        with httpx.Client(base_url=base) as browser:
            csrf = browser.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            signed_in = browser.post("/login", data={"name": "maria", "password": DESK_PASSWORD, "csrf_token": csrf})
            assert signed_in.status_code == 303
            assert browser.get("/queue").status_code == 200
        assert httpx.get(f"{base}/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "maria"
    finally:
        ws.stop("serve", desk)

    demo = tmp_path / "demo"
    demo.mkdir()
    ws.path = demo
    ws.run("demo", "--once", extra={**LOUDEST, "MENTIONDESK_DATABASE_URL": f"sqlite:///{demo / 'demo.db'}"})

    everything = "\n".join(ws.outputs.values())
    assert "urllib3.connectionpool" in everything and "Authorization': '[redacted]'" in everything  # it was logged
    token_outputs = {k: v for k, v in ws.outputs.items() if not k.startswith("user token")}  # that one prints it
    assert leaks(ws.outputs, {**SECRETS, "desk password": DESK_PASSWORD}) == {}
    assert leaks(token_outputs, {"API token": token}) == {}


def test_log_level_setting(tmp_path: Path, sim: Simulator) -> None:
    ws = Workspace(tmp_path, sim)
    quiet = subprocess.run([*MENTIONDESK, "db", "upgrade"], env=ws.env, cwd=tmp_path, capture_output=True, text=True)
    assert " INFO " not in quiet.stderr
    chatty = subprocess.run(
        [*MENTIONDESK, "db", "upgrade"],
        env={**ws.env, "MENTIONDESK_LOG_LEVEL": "info"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert " INFO alembic" in chatty.stderr
    debug = subprocess.run(
        [*MENTIONDESK, "poll", "--once"], capture_output=True, text=True, cwd=tmp_path, env={**ws.env, **LOUDEST}
    )
    assert " DEBUG urllib3" in debug.stderr
    no_http = subprocess.run(
        [*MENTIONDESK, "poll", "--once"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**ws.env, "MENTIONDESK_LOG_LEVEL": "DEBUG"},
    )
    assert no_http.returncode == 0 and "urllib3" not in no_http.stderr  # HTTP logs are opt-in

    # `run` logs at INFO by default; a chosen level is kept.
    for level, shown in ((None, True), ("ERROR", False)):
        env = {**ws.env, **({"MENTIONDESK_LOG_LEVEL": level} if level else {})}
        service = subprocess.Popen(
            [*MENTIONDESK, "run", "--poll-interval", "1"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = read_until(service, "Ctrl-C to stop.")
        time.sleep(2)  # a first round of polling
        service.send_signal(signal.SIGINT)
        output += service.communicate(timeout=60)[0]
        assert ("INFO mentiondesk.service" in output) == shown, output[-1500:]

    wrong = subprocess.run(
        [*MENTIONDESK, "db", "current"],
        env={**ws.env, "MENTIONDESK_LOG_LEVEL": "LOUD"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "MENTIONDESK_LOG_LEVEL" in wrong.stderr


def test_the_redactor_on_what_libraries_log() -> None:
    """The formats seen from requests_oauthlib, oauthlib, prawcore and urllib3, and URLs with passwords."""
    from mentiondesk.logs import SecretRedactor

    redactor = SecretRedactor(["Xaccesstoken-T1j5pQz6"])
    lines = [
        'Updated headers: {\'Authorization\': \'OAuth oauth_nonce="1", oauth_consumer_key="ck-123456", '
        'oauth_token="Xaccesstoken-T1j5pQz6", oauth_signature="sig%2F%3D"\'}',
        "Collected params: [('oauth_consumer_key', 'ck-123456'), ('oauth_token', 'tok-654321')]",
        "signature base string: POST&url&oauth_consumer_key%3Dck-123456%26oauth_token%3Dtok-654321%26oauth_v",
        "Data: [('grant_type', 'password'), ('password', 'hunter2-pw'), ('username', 'bot')]",
        '{"access_token": "rt-abcdef", "token_type": "bearer"} Authorization: bearer rt-abcdef',
        "connect postgresql+psycopg://md:pg-pass-99@db:5432/md",
        "token mdk_abcdefghijklmnopqrstuvwxyz used",
        "raw Xaccesstoken-T1j5pQz6 and Xaccesstoken-T1j5pQz6%21",
    ]
    for line in lines:
        clean = redactor.redact(line)
        for value in (
            "ck-123456",
            "tok-654321",
            "Xaccesstoken-T1j5pQz6",
            "hunter2-pw",
            "rt-abcdef",
            "pg-pass-99",
            "abcdefghijklmnop",
            "sig%2F",
        ):
            assert value not in clean, (line, clean)
    assert redactor.redact("GET /2/tweets?pagination_token=7140abc") == "GET /2/tweets?pagination_token=7140abc"
