"""Logging for every command: the level (`-v`, MENTIONDESK_LOG_LEVEL) and a filter that takes secrets out of every
log record, whichever library wrote it and whichever handler prints it.

The filter runs when a record is made (through the log record factory), not on one handler: uvicorn, a JSON
formatter or a log file added later all receive records that are already clean.

MENTIONDESK_LOG_FORMAT=json writes one JSON object per line (for a log collector) instead of a line of text."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log request headers, OAuth parameters or request bodies at DEBUG. Only their warnings are shown
# unless MENTIONDESK_LOG_HTTP is on; the redactor cleans their records either way.
HTTP_LOGGERS = (
    "urllib3", "requests_oauthlib", "oauthlib", "tweepy", "prawcore", "praw", "httpx", "httpcore",
    "multipart", "python_multipart",
)  # fmt: skip
# A configured secret shorter than this is not searched for: replacing every "sim" or "1234" in a log would hide
# more than it protects. The patterns below still catch it next to its name.
MIN_SECRET_LENGTH = 4

_KEY = (
    r"(?:[a-z_]*(?:token|secret|passwd|password|signature|api_key|consumer_key|client_key|resource_owner_key)"
    r"|md_session)"
)
_SEP = r"""(?:['"]?[ \t]*[=:][ \t]*['"]?|%3D|['"][ \t]*,[ \t]*['"])"""
# A value ends at a quote, space, separator or URL-encoded separator (%26 &, %2C ,, %22 ", %27 ', %20 space).
_VALUE = r"""(?!\[redacted\])(?:%(?!2[0267C]|3D)[0-9A-F]{2}|[^\s'"&,;)}\]%<>])+"""
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: 'OAuth oauth_token="…", …' / "Bearer …" and cookies, quoted or to the end of the line.
    (
        re.compile(r"""(\b(?:authorization|cookie|set-cookie)['"]?[ \t]*[:=][ \t]*)(['"])(?:(?!\2).)*\2""", re.I),
        rf"\1\2{REDACTED}\2",
    ),
    (
        re.compile(r"""(\b(?:authorization|cookie|set-cookie)[ \t]*[:=][ \t]*)(?!['"\s])[^\r\n]+""", re.I),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"\b(bearer|basic)([ \t]+)[A-Za-z0-9._~+/=-]{6,}", re.I), rf"\1\2{REDACTED}"),
    # oauth_token=…, "access_token": "…", ('password', '…'), oauth_consumer_key%3D… (a signature base string);
    # X's page tokens are cursors, not credentials
    (
        re.compile(rf"(?<![a-z_])(?!(?:pagination|next|previous)_token\b)({_KEY})({_SEP})({_VALUE})", re.I),
        rf"\1\2{REDACTED}",
    ),
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(@)", re.I), rf"\1{REDACTED}\2"),
    # the desk's own API tokens
    (re.compile(r"\bmdk_[A-Za-z0-9_-]{8,}"), f"mdk_{REDACTED}"),
)


class SecretRedactor(logging.Filter):
    """Replaces configured secret values and anything that looks like a credential (Authorization headers,
    token=…, password=…, URL passwords) in a record's message, exception text and stack."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._exact: re.Pattern[str] | None = None
        self.set_secrets(secrets)

    def set_secrets(self, secrets: Iterable[str]) -> None:
        variants: set[str] = set()
        for value in secrets:
            if len(value) >= MIN_SECRET_LENGTH:
                variants.update({value, quote(value, safe=""), quote_plus(value, safe="")})
        ordered = sorted(variants, key=len, reverse=True)  # a secret containing another is replaced whole
        self._exact = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    def redact(self, text: str) -> str:
        for pattern, replacement in PATTERNS:
            text = pattern.sub(replacement, text)
        if self._exact is not None:
            text = self._exact.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler reports it as it always does
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = SecretRedactor()
_level_chosen = False


def install_redactor() -> None:
    """Every record is redacted as it is made (once per process, however often commands configure logging)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts_secrets", False):
        return
    base: Callable[..., logging.LogRecord] = factory

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        REDACTOR.filter(record)
        return record

    redacting_factory.redacts_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the exception's text when
    there is one. Records are redacted when made, so what is written here is already clean."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = REDACTOR.redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(FORMAT)


def configure(verbose: bool) -> None:
    """The CLI's logging: DEBUG with `-v`, else MENTIONDESK_LOG_LEVEL, else WARNING; secrets always redacted;
    text lines, or JSON lines with MENTIONDESK_LOG_FORMAT=json."""
    global _level_chosen
    level_name, log_http, secrets, log_format = _read_settings()
    REDACTOR.set_secrets(secrets)
    install_redactor()
    level = logging.DEBUG if verbose else logging.getLevelName(level_name or "WARNING")
    _level_chosen = verbose or level_name is not None
    root = logging.getLogger()
    if not root.handlers:  # a host that set up logging already (a test runner) keeps its own level and handlers
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(formatter_for(log_format))
        root.addHandler(stderr)
        root.setLevel(level)
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, QuietLibraries)]:
            handler.removeFilter(old)
        if not log_http:
            handler.addFilter(QuietLibraries(HTTP_LOGGERS))


class QuietLibraries(logging.Filter):
    """Drops the HTTP libraries' records below WARNING (they are request dumps) at the handler, leaving the
    libraries' own logger levels alone."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__()
        self.prefixes = tuple(names)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == p or name.startswith(p + ".") for p in self.prefixes)


def use_service_level() -> None:
    """`mentiondesk run`: a service's log is its output, so INFO unless -v or MENTIONDESK_LOG_LEVEL chose."""
    if _level_chosen:
        return
    logging.getLogger().setLevel(logging.INFO)
    for chatty in ("apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _read_settings() -> tuple[str | None, bool, list[str], str]:
    """(log level, log HTTP, secret values, log format). With settings that do not validate, the command itself
    reports the problem; logging still starts, with secrets read from the raw environment and .env."""
    from mentiondesk.core.errors import ConfigError
    from mentiondesk.settings import get_settings

    try:
        settings = get_settings()
    except ConfigError:
        raw_format = os.environ.get("MENTIONDESK_LOG_FORMAT", "").strip().lower()
        return None, False, _raw_secrets(), "json" if raw_format == "json" else "text"
    return settings.log_level, settings.log_http, secret_values(settings), settings.log_format


def secret_values(settings: Any) -> list[str]:
    """Every SecretStr setting's value, plus the password inside the database URL."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if isinstance(value, SecretStr) and value.get_secret_value():
            values.append(value.get_secret_value())
    password = _url_password(getattr(settings, "database_url", ""))
    if password:
        values.append(password)
    return values


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not url:
        return None
    try:
        return make_url(url).password or None
    except (ArgumentError, ValueError):
        return None


def _raw_secrets() -> list[str]:
    from dotenv import dotenv_values

    from mentiondesk.settings import Settings

    names = {f"MENTIONDESK_{n}".upper() for n, f in Settings.model_fields.items() if "SecretStr" in str(f.annotation)}
    names.add("MENTIONDESK_DATABASE_URL")
    found: dict[str, str] = {}
    for source in (dotenv_values(".env") if os.path.exists(".env") else {}, os.environ):
        found.update({k.upper(): v for k, v in source.items() if k.upper() in names and v})
    url = found.pop("MENTIONDESK_DATABASE_URL", "")
    return [*found.values(), *filter(None, [_url_password(url)])]
