"""What the rest of Mention Desk knows about one network, in one value: a `Platform`.

Each platform module (listener/<name>.py) exports one `Platform` as DESCRIPTOR; the shell's registry
(mentiondesk/platforms.py) lists them and registers them here, so that rules and responders can look a
platform's rules up by name without importing listener. Adding a network is one module exporting a
`Platform`, one line in the registry and its simulator module; nothing else names it.

Also here: the two seams a platform implements, `Source` (read) and `Sender` (write)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import AfterValidator, BaseModel

from mentiondesk.core.errors import ConfigError
from mentiondesk.core.values import Batch, OutgoingReply, SentReply

if TYPE_CHECKING:  # core/brands imports this module
    from mentiondesk.core.brands import Brand


# --- the seams --------------------------------------------------------------------------------------


@runtime_checkable
class Source(Protocol):
    """Fetches mentions since a cursor, oldest first. Raises SourceError subclasses, never anything else."""

    name: str  # unique and stable, e.g. "x:acme:mentions"; its cursor is saved under this name
    platform: str
    brand: str

    def fetch(self, cursor: str | None) -> Batch: ...


@runtime_checkable
class Sender(Protocol):
    """Posts one reply on one platform; each platform that can reply has one. Raises SendFailed (whose fields
    say whether it may have been posted) or RateLimited.

    `find_reply` looks on the platform for a reply we already posted to `reply.in_reply_to`, reading back at
    least to `reply.claimed_at`: None only when it read that far and found none; SendFailed when it could not
    tell. `rate_scope` names the rate limit this sender shares (with sources of the same client, say)."""

    platform: str
    rate_scope: str

    def send(self, reply: OutgoingReply) -> SentReply: ...

    def find_reply(self, reply: OutgoingReply) -> SentReply | None: ...


# --- the descriptor ---------------------------------------------------------------------------------


class AutomatedReplies(StrEnum):
    """What a network's rules allow a bot to post without a person approving each reply."""

    NEVER = "never"
    ADDRESSED = "addressed"  # only to posts that mention or reply to the brand


@dataclass(frozen=True, kw_only=True)
class ReplyRules:
    """How replies work on a platform: read by drafting, the policy gate and routing."""

    max_length: int
    # The platform's way of counting a reply's characters (X weighs some characters double).
    length: Callable[[str], int] = len
    # Whether a person may answer a post that only matched a keyword (no @mention, no reply to the brand).
    keyword_replies: bool = True
    automated: AutomatedReplies = AutomatedReplies.ADDRESSED
    # In a brand's `auto_reply_platforms` unless its brand file lists them itself.
    automated_by_default: bool = False


@dataclass(frozen=True, kw_only=True)
class DemoPost:
    """One built-in demo mention, to be posted on a running simulator by the platform's `post_demo` hook."""

    text: str
    author: str
    name: str
    followers: int
    lang: str
    via: str  # "mention", "reply" or "keyword"
    created_at: datetime


AccessT = TypeVar("AccessT", bound=BaseModel)


def _no_sender(access: Any) -> Sender:
    raise NotImplementedError  # never called: `listen_only` platforms are skipped when building senders


@dataclass(frozen=True, kw_only=True)
class Platform(Generic[AccessT]):
    """Everything the rest of the code needs to know about one network.

    Settings: every field of `access` (a pydantic model) is read from MENTIONDESK_<NAME>_<FIELD> by the shell
    (e.g. MENTIONDESK_X_BEARER_TOKEN), except `timeout_seconds`, which is MENTIONDESK_REQUEST_TIMEOUT_SECONDS.
    Listener code never reads settings; it is handed the filled-in access value."""

    name: str  # the key in brand files, mention rows and source names; lower case, stable
    title: str  # how people write it
    # Its settings are MENTIONDESK_<SETTINGS_NAME>_<FIELD>; by default the name (a long name may use a short one).
    settings_name: str = ""
    access: type[AccessT]
    replies: ReplyRules

    # Reading: whether a brand has anything to listen for here, whether the access suffices to read, the
    # sources for one brand, and the one line shown when reading is skipped ("set these variables").
    listens_for: Callable[[Brand], bool]
    can_read: Callable[[AccessT], bool]
    sources: Callable[[Brand, AccessT], Sequence[Source]]
    read_hint: str
    # The keyword searches alone (no owned listings) for a brand, on a network that can search: the registry
    # calls it with `Brand.competitor_search()` to find posts about competitors. None: no competitor search.
    search_sources: Callable[[Brand, AccessT], Sequence[Source]] | None = None
    # (source name, "owned" or "search") of every listing `sources` builds for a brand, worked out without
    # credentials: what the cost planner (`mentiondesk budget`) counts. None: learnt from stored sources only.
    planned_listings: Callable[[Brand], list[tuple[str, str]]] | None = None
    # The same for `search_sources`, where it builds other listings than the "search" ones `planned_listings`
    # names (None: those).
    planned_searches: Callable[[Brand], list[tuple[str, str]]] | None = None

    # Writing: the sender (raises NotConfigured without user credentials, then `write_hint` is shown).
    # A `listen_only` network has no reply API: no sender, and no drafts are sent there.
    listen_only: bool = False
    sender: Callable[[AccessT], Sender] = _no_sender
    write_hint: str = ""

    # How a handle and a post's address look. `handle_prefix` is stripped from handles in the brand file
    # ("@", "u/"); `mention_url` turns an author's handle and a post id into a link to the post.
    handle_prefix: str = "@"
    handle_pattern: str = r"[A-Za-z0-9_]{1,64}"
    handle_chars: str = r"\w"  # a regex character class body: what a handle may hold when a reply names it
    mention_url: Callable[[str, str], str] = lambda handle, post_id: ""
    # An optional table in each brand, [brands.KEY.<name>] (the communities to watch, say); a brand's is
    # `Brand.table(name)`, validated against this model when the brand file loads.
    brand_table: type[BaseModel] | None = None

    color: str = "#52606d"  # its colour in the desk's charts
    # Whether its posts carry the author's follower count. Where they do not (Reddit, Hacker News, Bluesky's
    # notifications), every author reads 0 and the desk leaves the count out instead of showing "0 followers".
    reports_followers: bool = True

    # The starter files (`mentiondesk init`, .env.example): the comment above its settings, and, for a
    # platform in the starter brand file, an example handle and the body of its brand table.
    settings_note: str = ""
    starter_handle: str = ""
    starter_table: str = ""

    # The simulator and the demo: the platform's simulator module (dotted path) and a hook that posts one
    # built-in demo mention on a running `listener.simulator.Simulator`.
    simulator_module: str = ""
    post_demo: Callable[[Any, DemoPost], None] | None = None
    # Keyword arguments for `Simulator.create` that one brand contributes (the communities to play, say).
    simulator_options: Callable[[Brand], dict[str, list[str]]] | None = None
    # `mentiondesk simulate`: the default port of its server (`Simulator.create(<name>_port=...)`) and where a
    # running simulator serves it.
    simulator_port: int = 0
    simulator_address: Callable[[Any], str] | None = None

    @property
    def settings_key(self) -> str:
        return self.settings_name or self.name

    @property
    def env_prefix(self) -> str:
        return f"MENTIONDESK_{self.settings_key.upper()}_"

    def strip_handle(self, handle: str) -> str:
        handle = handle.strip()
        return handle.removeprefix(self.handle_prefix) if self.handle_prefix else handle

    def is_handle(self, handle: str) -> bool:
        return re.fullmatch(self.handle_pattern, self.strip_handle(handle)) is not None

    def address(self, handle: str) -> str:
        """The handle as a reply names its author ("@name", "u/name"); "" when nothing of it is usable."""
        tidy = re.sub(f"[^{self.handle_chars}]", "", handle)[:30]
        return f"{self.handle_prefix}{tidy}" if tidy else ""


# --- lookups by name --------------------------------------------------------------------------------

_REGISTERED: dict[str, Platform[Any]] = {}


def register(*platforms: Platform[Any]) -> None:
    """Called once by the shell's registry (mentiondesk/platforms.py) with every platform."""
    for platform in platforms:
        _REGISTERED[platform.name] = platform


def registered() -> tuple[Platform[Any], ...]:
    return tuple(_REGISTERED.values())


def platform_names() -> tuple[str, ...]:
    return tuple(_REGISTERED)


def platform_named(name: str) -> Platform[Any]:
    try:
        return _REGISTERED[name]
    except KeyError:
        known = ", ".join(_REGISTERED) or "none registered"
        raise ConfigError(f"unknown platform {name!r} (known: {known})") from None


# Replies on a platform nobody registered: no limit beyond the database's, nothing automated, no keyword replies.
_UNKNOWN_RULES = ReplyRules(max_length=10_000, keyword_replies=False, automated=AutomatedReplies.NEVER)


def reply_rules(name: str) -> ReplyRules:
    platform = _REGISTERED.get(name)
    return platform.replies if platform is not None else _UNKNOWN_RULES


def reports_followers(name: str) -> bool:
    platform = _REGISTERED.get(name)
    return platform.reports_followers if platform is not None else True


def address(platform: str, handle: str) -> str:
    """`Platform.address` by name; "@name" on a platform nobody registered."""
    found = _REGISTERED.get(platform)
    if found is not None:
        return found.address(handle)
    tidy = re.sub(r"[^\w]", "", handle)[:30]
    return f"@{tidy}" if tidy else ""


def _known_platform(name: str) -> str:
    """Brand files name platforms; with the registry loaded (the shell loads it) only registered ones."""
    if _REGISTERED and name not in _REGISTERED:
        names = [repr(n) for n in _REGISTERED]
        choices = " or ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
        raise ValueError(f"unknown platform {name!r}; use {choices}")
    return name


PlatformName = Annotated[str, AfterValidator(_known_platform)]
