"""The requests.Session both platform clients use: our base URL, our timeout, a request count, last headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests


class MeteredSession(requests.Session):
    """Rewrites a hard-coded host to a configured base URL, applies one timeout to every call, counts requests
    and keeps the last response's headers (for rate-limit figures)."""

    def __init__(self, *, timeout: float, rewrite: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.rewrite = rewrite
        self.requests_made = 0
        self.last_headers: Mapping[str, str] = {}

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.rewrite and isinstance(url, str) and url.startswith(self.rewrite[0]):
            url = self.rewrite[1] + url[len(self.rewrite[0]) :]
        # Neither tweepy nor prawcore uses our setting; tweepy passes no timeout at all.
        kwargs["timeout"] = self.timeout
        self.requests_made += 1
        response = super().request(method, url, *args, **kwargs)
        self.last_headers = response.headers
        return response


def _brief(exc: BaseException) -> str:
    """An exception as one short line (connection errors nest several reprs)."""
    text = str(exc).replace("\n", " ")
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
