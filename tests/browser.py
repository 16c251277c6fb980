"""What the browser tests share: the desk served on a free port inside the test process, headless Debian
Chromium driven by Playwright (no browser is downloaded here), and signing in. Registered as a pytest plugin
in conftest.py, so a test asks for `browser` or `page` by name."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.test_web_support import PASSWORD

__all__ = ["PASSWORD"]  # the desk users' password in every browser test

CHROMIUM = Path("/usr/bin/chromium")
# The docs' screenshots are made by the browser tests, so they show the desk as it is.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
# For a module's `pytestmark`: browser tests are marked, and skipped where Debian's chromium is missing.
NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, in a thread of this process; yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context (no cookies) at 1280×900; `page.dialogs` collects what alert()/confirm() said (and
    dismisses them), so a test can assert that hostile text ran no script."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.dialogs = []
    opened.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    yield opened
    context.close()


def login(page: Any, base: str, name: str = "maria", password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/queue.*"))


def flash(page: Any) -> str:
    return str(page.locator(".flash").first.inner_text())
