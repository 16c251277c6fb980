"""Faults the simulator can be told to inject into its next matching responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal[
    "rate_limit",  # 429 with the platform's rate-limit headers and body
    "unavailable",  # 503
    "slow",  # answer after `delay` seconds (make the client time out)
    "disconnect",  # close the connection without answering
    "malformed",  # one item of the next page is broken (a required field is missing)
    "forbidden",  # 403 in the platform's shape
    "tier",  # the platform's "your access level does not allow this" answer (403, with its body)
    "unauthorized",  # 401
    "answer_lost",  # the request takes effect, then the answer never arrives (after `delay` s, the connection drops)
]
KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]


@dataclass
class Fault:
    kind: FaultKind
    platform: str = "any"  # a network's name, or "any"
    times: int = 1  # how many responses it affects
    path: str = ""  # only requests whose path contains this
    reset_in: int = 60  # seconds until the window resets (rate_limit)
    delay: float = 2.0  # seconds (slow)
    method: str = ""  # only requests with this method ("POST"); any when empty

    def matches(self, platform: str, path: str, method: str = "") -> bool:
        return (
            self.times > 0
            and self.platform in ("any", platform)
            and self.path in path
            and self.method.upper() in ("", method.upper())
        )

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Fault:
        kind = str(data.get("kind", ""))
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(KINDS)}")
        return cls(
            kind=kind,  # type: ignore[arg-type]
            platform=str(data.get("platform", "any")),
            times=int(str(data.get("times", 1))),
            path=str(data.get("path", "")),
            reset_in=int(str(data.get("reset_in", 60))),
            delay=float(str(data.get("delay", 2.0))),
            method=str(data.get("method", "")),
        )
