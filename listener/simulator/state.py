"""What the simulated networks share (`SimState`), with the pieces their worlds are built from: rate windows,
replies received, made-up names. One lock guards it all; every server and the Python API share one instance."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from listener.simulator.corpus import Corpus
from listener.simulator.faults import Fault

MentionKind = Literal["mixed", "mention", "reply", "keyword"]

_FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chidi",
    "Dana",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Noor",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
]
LANGS = ["en"] * 8 + ["es", "de"]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
        if number == 0:
            return out


@dataclass
class RateWindow:
    """A fixed window of `limit` requests; a network reports its reset as an epoch or as seconds from now."""

    limit: int
    seconds: int
    used: int = 0
    started: float = field(default_factory=time.time)

    def hit(self) -> bool:
        """Count one request; False when the window is already spent."""
        now = time.time()
        if now - self.started >= self.seconds:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def reset_epoch(self) -> int:
        return int(self.started + self.seconds)

    @property
    def reset_seconds(self) -> int:
        return max(int(self.started + self.seconds - time.time()), 0)


@dataclass
class Reply:
    platform: str
    id: str
    in_reply_to: str
    text: str
    at: str

    def as_dict(self) -> dict[str, str]:
        return {
            "platform": self.platform,
            "id": self.id,
            "in_reply_to": self.in_reply_to,
            "text": self.text,
            "at": self.at,
        }


class SimState:
    """What every simulated network shares: one lock, one random stream, the mention texts, the brand's
    keywords, the faults to inject, the replies received and the request log. Each network's own world
    (accounts, posts, rate windows) is in `worlds`, keyed by network name."""

    def __init__(self, *, keywords: list[str], seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.corpus = Corpus(self.rng)
        self.keywords = keywords or ["acme"]
        self.faults: list[Fault] = []
        self.replies: list[Reply] = []
        self.request_log: list[tuple[str, str, str]] = []  # (platform, method, path)
        self.worlds: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        # Older callers reach a network's world through the state (`sim.state.post_tweet`); only names no
        # world shares are found this way.
        if name.startswith("__") or name == "worlds":
            raise AttributeError(name)
        owners = [world for world in self.__dict__.get("worlds", {}).values() if hasattr(world, name)]
        if len(owners) != 1:
            raise AttributeError(name)
        return getattr(owners[0], name)

    # --- helpers --------------------------------------------------------------------------------------

    @staticmethod
    def now_iso() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now(UTC).microsecond // 1000:03d}Z"

    def take_fault(self, platform: str, path: str, method: str = "") -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(platform, path, method):
                    fault.times -= 1
                    return fault
            return None

    def author_name(self) -> tuple[str, str]:
        """A made-up author: (username, display name)."""
        first = self.rng.choice(_FIRST_NAMES)
        return f"{first.lower()}_{self.rng.randint(1, 9999)}", f"{first} {self.rng.choice('ABCDEFGHKLMNPRSTW')}."

    def ensure_keyword(self, text: str, keywords: list[str] | None = None) -> str:
        keyword = self.rng.choice(keywords or self.keywords)
        if re.search(r"(?<!\w)" + re.escape(keyword) + r"(?!\w)", text, re.IGNORECASE):
            return text
        return f"{text} #{keyword}" if " " not in keyword else f"{text} ({keyword})"
