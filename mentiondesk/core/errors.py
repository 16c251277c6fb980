"""One small tree of errors. The type decides what the caller does; fields carry the details."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


class MentionDeskError(Exception):
    """Base of every error Mention Desk raises on purpose. `str()` is one line a user can read."""


class ConfigError(MentionDeskError):
    """A settings value or brand file is wrong. Names the file, line and key when known."""

    def __init__(
        self, message: str, *, path: Path | str | None = None, line: int | None = None, key: str | None = None
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.key = key
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "")
        if self.key:
            where = f"{where} [{self.key}]" if where else f"[{self.key}]"
        return f"{where}: {self.message}" if where else self.message


class InputError(MentionDeskError):
    """A user-supplied file or argument cannot be used."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


# --- talking to platforms ---------------------------------------------------------------------------


class SourceError(MentionDeskError):
    """A platform call failed. Subclasses say whether to wait, retry or stop."""

    def __init__(self, message: str, *, platform: str = "") -> None:
        self.message = message
        self.platform = platform
        super().__init__(f"{platform}: {message}" if platform else message)


class RateLimited(SourceError):
    """The platform said: no more requests before `reset_at`."""

    def __init__(self, reset_at: datetime, *, platform: str = "", message: str = "rate limited") -> None:
        self.reset_at = reset_at
        super().__init__(f"{message} until {reset_at.isoformat(timespec='seconds')}", platform=platform)


class AccessDenied(SourceError):
    """Credentials are wrong or the account's access tier does not include this call. Retrying won't help."""

    def __init__(self, message: str, *, platform: str = "", status: int | None = None) -> None:
        self.status = status
        super().__init__(message, platform=platform)


class TransientError(SourceError):
    """5xx, timeout or connection trouble: retry with backoff."""


class NotConfigured(SourceError):
    """A platform has no credentials: skipped with one line, not an error."""


# --- the desk ---------------------------------------------------------------------------------------


class NotFound(MentionDeskError):
    """No such draft, mention or user."""


class InvalidTransition(MentionDeskError):
    """A draft cannot move from its state to the wanted one (e.g. approving a sent draft)."""

    def __init__(self, draft_id: int, state: str, wanted: str) -> None:
        self.draft_id = draft_id
        self.state = state
        self.wanted = wanted
        super().__init__(f"draft {draft_id} is {state}; it cannot be {wanted}")


class PolicyBlocked(MentionDeskError):
    """The policy gate refuses this reply; `reasons` says why."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("policy gate refused: " + "; ".join(reasons))


class SendFailed(MentionDeskError):
    """Posting a reply (or looking for one we posted) failed. The fields say what the sender does next:
    `maybe_posted`: the platform may have taken it (timeout, lost answer, 5xx): reconcile before any retry;
    `target_gone`: the post we answer was deleted or removed: never retry;
    `retryable`: nothing was posted and trying again later may work (otherwise a person decides)."""

    def __init__(
        self, message: str, *, retryable: bool = True, maybe_posted: bool = False, target_gone: bool = False
    ) -> None:
        self.retryable = retryable
        self.maybe_posted = maybe_posted
        self.target_gone = target_gone
        super().__init__(message)


class NotAllowed(MentionDeskError):
    """This person may not do this here (e.g. approve a reply they wrote, where the brand wants a second person)."""


class Conflict(MentionDeskError):
    """Someone else changed this item first (edited, approved or rejected it); reload and try again."""
