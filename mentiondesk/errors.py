"""Moved to mentiondesk.core.errors; this name stays while callers move over."""

from mentiondesk.core.errors import (  # noqa: F401
    AccessDenied,
    ConfigError,
    Conflict,
    InputError,
    InvalidTransition,
    MentionDeskError,
    NotConfigured,
    NotFound,
    PolicyBlocked,
    RateLimited,
    SendFailed,
    SourceError,
    TransientError,
)
