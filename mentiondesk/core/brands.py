"""The brand file (TOML): each brand's handles, keywords, exclusions, languages, competitors, routing rules,
reply policy and optional templates. A wrong file is refused with its path, line and key."""

from __future__ import annotations

import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from mentiondesk.core.errors import ConfigError
from mentiondesk.core.platform import AutomatedReplies, PlatformName, platform_named, platform_names, reply_rules
from mentiondesk.core.vocabulary import Label


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuietHours(_Strict):
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # spans midnight


class ReplyPolicy(_Strict):
    auto_thank: bool = False
    daily_cap: int = Field(default=50, ge=0)
    quiet_hours: QuietHours | None = None
    timezone: str = "UTC"
    thank_threshold: float | None = Field(default=None, ge=0.5, le=1.0)
    # Appended to every automated reply, so nobody mistakes the bot for a person.
    disclosure: str = "(automated reply)"
    # Platforms where a reply may be sent without a human approving it first; unset: those whose descriptor
    # says so by default (mentiondesk/core/platform.py, ReplyRules.automated_by_default).
    auto_reply_platforms: list[PlatformName] | None = None
    # Hours before the same author may be thanked automatically again.
    thank_cooldown_hours: int = Field(default=168, ge=0)
    # Minutes an automated thank-you waits in the desk's "Going out" lane, where a manager may stop it.
    thank_hold_minutes: int = Field(default=10, ge=0, le=1440)
    # May the person who wrote a reply on the desk approve it too? Off: a second person approves it.
    allow_self_approval: bool = False

    def automates(self, platform: str) -> bool:
        """Whether this brand lets replies on `platform` go out without a person approving each one."""
        rules = reply_rules(platform)
        if rules.automated == AutomatedReplies.NEVER:
            return False
        if self.auto_reply_platforms is None:
            return rules.automated_by_default
        return platform in self.auto_reply_platforms

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _parse_quiet_hours(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
            if not match:
                raise ValueError('expected "HH:MM-HH:MM", e.g. "22:00-07:00"')
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                raise ValueError("hours are 0-23 and minutes 0-59")
            return {"start": time(h1, m1), "end": time(h2, m2)}
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)") from None
        return value


class RoutingRules(_Strict):
    escalate_urgency: int = Field(default=70, ge=0, le=100)
    # Categories that get a drafted reply; others are stored as insight.
    draft_categories: list[Label] = list(Label)
    # Draft replies to keyword-only matches (no @mention, no reply to us) where the platform allows it.
    draft_keyword_matches: bool = True
    # An "other" mention the classifier is sure of, whose needs-reply probability is below this, merely names
    # the brand ("meeting Jen at @brand at 3"): insight, no draft. 0 drafts them all.
    needs_reply_floor: float = Field(default=0.35, ge=0.0, le=1.0)
    spam_terms: list[str] = [
        "follow back",
        "free followers",
        "buy followers",
        "crypto giveaway",
        "giveaway!!",
        "dm for promo",
        "click here to win",
        "link in bio",
        "check my profile",
        "check out my page",
        "seo services",
        "accounts for sale",
        "crypto signals",
        "trading forex",
        "earn $",
        "you've been selected",
        "coupon code",
        "collab?",
        "onlyfans",
        "airdrop",
        "make money fast",
    ]
    ignore_authors: list[str] = []
    # Accounts that are bots, not people: their posts are not read as mentions at all (no draft, no case).
    bots: list[str] = ["AutoModerator"]
    # Notices a moderator or admin marked as such (removal reasons, rules): not read as mentions either.
    ignore_moderator_notices: bool = True


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BusinessHours(_Strict):
    """When the team works: response targets count these hours only. `[brands.<key>.business_hours]`."""

    hours: QuietHours = QuietHours(start=time(9), end=time(17))
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "tue", "wed", "thu", "fri"]
    timezone: str = "UTC"

    @field_validator("hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: Any) -> Any:
        parsed = ReplyPolicy._parse_quiet_hours(value)
        if isinstance(parsed, dict) and parsed["start"] >= parsed["end"]:
            raise ValueError('business hours must open before they close on the same day, e.g. "09:00-17:30"')
        return parsed

    @field_validator("days")
    @classmethod
    def _some_days(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one working day")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return ReplyPolicy._known_timezone(value)

    def weekdays(self) -> frozenset[int]:
        return frozenset(DAYS.index(day) for day in self.days)


class Alerts(_Strict):
    """Who is told, and when: `[brands.<key>.alerts]`. No target configured: nothing is sent, alerts are still
    stored and shown in the desk."""

    webhook_url: str = ""
    # Signs each webhook body: header X-MentionDesk-Signature: sha256=<hex HMAC-SHA256 of the body>.
    webhook_secret: SecretStr = SecretStr("")
    slack_webhook_url: str = ""
    email_to: list[str] = []
    escalations: bool = True
    # A spike: at least spike_min_count mentions in the last spike_window_minutes, and spike_factor times the
    # average of the same window on each of the previous 7 days; or a negative share that many points higher.
    spikes: bool = True
    spike_window_minutes: int = Field(default=60, ge=5, le=24 * 60)
    spike_min_count: int = Field(default=10, ge=1)
    spike_factor: float = Field(default=3.0, gt=1.0)
    negative_share_rise: float = Field(default=0.3, gt=0.0, le=1.0)
    cooldown_minutes: int = Field(default=60, ge=0)
    source_health: bool = True
    # A source with no successful fetch for this long is reported silent.
    source_silent_minutes: int = Field(default=120, ge=1)
    response_breaches: bool = True

    @field_validator("webhook_url", "slack_webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not re.match(r"https?://[^\s/]+", value):
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value

    @field_validator("email_to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ValueError(f"not an email address: {address!r}")
        return value

    @property
    def has_targets(self) -> bool:
        return bool(self.webhook_url or self.slack_webhook_url or self.email_to)


TAG_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,39}$"


class TagRule(_Strict):
    """`[[brands.<key>.tags]]`: put `tag` on every new mention that passes each condition given (any keyword,
    any category, any language, any platform); a condition left out passes everything."""

    tag: str = Field(pattern=TAG_PATTERN)
    keywords: list[str] = []
    categories: list[Label] = []
    languages: list[str] = []
    platforms: list[PlatformName] = []

    @model_validator(mode="after")
    def _has_a_condition(self) -> TagRule:
        if not (self.keywords or self.categories or self.languages or self.platforms):
            raise ValueError("a tag rule needs keywords, categories, languages or platforms")
        return self


TemplateCategory = Label | Literal["escalation", "safe", "safe_praise", "safe_question"]
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class Brand(_Strict):
    key: str
    name: str
    handles: dict[PlatformName, list[str]] = {}
    keywords: list[str] = []
    exclude: list[str] = []
    languages: list[str] = ["en"]
    competitors: list[str] = []
    response_target_minutes: int = Field(default=60, gt=0)
    # Mentions older than this many days are deleted with their drafts (trend counts stay); unset keeps them.
    retention_days: int | None = Field(default=None, ge=1)
    # None: the target counts around the clock.
    business_hours: BusinessHours | None = None
    # [brands.KEY.<platform>] tables as written; each is checked against its platform's `brand_table` model.
    platform_tables: dict[str, dict[str, Any]] = {}
    reply_policy: ReplyPolicy = ReplyPolicy()
    routing: RoutingRules = RoutingRules()
    # Optional wording per category: a list of Jinja2 templates each, used in turn. `[templates]` is in the
    # brand's default language (the first of `languages`); `[templates.es]` and so on: the same keys in another.
    # "safe": the wording when the classifier is unsure (acknowledge, offer help; never thank or promise);
    # "safe_praise" / "safe_question": the same when the unsure mention reads as praise / a question (a brand's
    # own "safe" stands in for either).
    templates: dict[TemplateCategory, list[str]] = {}
    language_templates: dict[str, dict[TemplateCategory, list[str]]] = {}
    signature: str = ""
    alerts: Alerts = Alerts()
    # Dollars a month per platform (X bills every post read): once a platform's sources have spent it this
    # month, they pause ("budget reached") until the next. `mentiondesk budget` estimates what to set.
    monthly_spend_cap: dict[PlatformName, Annotated[float, Field(ge=0)]] = {}
    # Tags put on new mentions automatically, when their batch is processed.
    tags: list[TagRule] = []

    @field_validator("handles")
    @classmethod
    def _strip_at(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {platform: [h.lstrip("@").removeprefix("u/") for h in hs] for platform, hs in value.items()}

    @model_validator(mode="before")
    @classmethod
    def _collect_language_templates(cls, data: Any) -> Any:
        """`[templates.<language>]` tables inside `[templates]` go to `language_templates`."""
        if not isinstance(data, dict) or not isinstance(data.get("templates"), dict):
            return data
        tables = {k: v for k, v in data["templates"].items() if isinstance(v, dict)}
        if not tables:
            return data
        plain = {k: v for k, v in data["templates"].items() if k not in tables}
        return {**data, "templates": plain, "language_templates": {**data.get("language_templates", {}), **tables}}

    @field_validator("language_templates")
    @classmethod
    def _language_codes(cls, value: dict[str, Any]) -> dict[str, Any]:
        for code in value:
            if not LANGUAGE_CODE.match(code):
                raise ValueError(f"[templates.{code}]: not a language code (use ISO 639-1, e.g. es)")
        return value

    @model_validator(mode="after")
    def _default_language_written_once(self) -> Brand:
        both = sorted(set(self.templates) & set(self.language_templates.get(self.default_language, {})))
        if both:
            raise ValueError(
                f"templates.{both[0]} is set both in [templates] and [templates.{self.default_language}]; keep one"
            )
        return self

    @property
    def default_language(self) -> str:
        """The language of `[templates]`, and of replies to mentions in a language the brand does not list."""
        return self.languages[0] if self.languages else "en"

    def templates_in(self, language: str) -> dict[str, list[str]]:
        """This brand's own templates in `language` (its `[templates]` for the default language)."""
        own = {str(k): v for k, v in self.language_templates.get(language, {}).items()}
        if language == self.default_language:
            own.update({str(k): v for k, v in self.templates.items()})
        return own

    @model_validator(mode="before")
    @classmethod
    def _collect_platform_tables(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        names = [n for n in data if n not in cls.model_fields and n in platform_names() and _table_model(n)]
        if not names:
            return data
        rest = {k: v for k, v in data.items() if k not in names}
        return {**rest, "platform_tables": {**rest.get("platform_tables", {}), **{n: data[n] for n in names}}}

    @model_validator(mode="after")
    def _platform_tables_fit(self) -> Brand:
        for name in self.platform_tables:
            self.table(name)
        return self

    def table(self, platform: str) -> Any:
        """This brand's [brands.KEY.<platform>] table as the platform's `brand_table` model (its defaults when
        the brand file has none)."""
        model = _table_model(platform)
        if model is None:
            raise ValueError(f"{platform} has no [brands.KEY.{platform}] table")
        try:
            return model.model_validate(self.platform_tables.get(platform, {}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            message = f"unknown key {where!r}" if first["type"] == "extra_forbidden" else f"{where}: {first['msg']}"
            raise ValueError(f"[{platform}] {message}") from None

    @model_validator(mode="after")
    def _something_to_listen_for(self) -> Brand:
        if not self.keywords and not any(self.handles.values()):
            raise ValueError("a brand needs at least one handle or keyword to listen for")
        return self

    @property
    def time_zone(self) -> str:
        """The brand's time zone: its business hours', else its reply policy's."""
        return self.business_hours.timezone if self.business_hours else self.reply_policy.timezone

    def own_handles(self, platform: str) -> set[str]:
        return {h.lower() for h in self.handles.get(platform, [])}

    def names_us(self, text: str, platform: str) -> bool:
        """Whether a post names the brand: its name, a keyword or one of its handles on `platform`."""
        lowered = text.casefold()
        terms = [self.name, *self.keywords, *self.handles.get(platform, [])]
        return any(t.strip() and t.strip().casefold() in lowered for t in terms)

    def competitor_search(self) -> Brand | None:
        """This brand with its competitors as its keywords: what a platform's search sources are built from to
        find posts about competitors. None without competitors."""
        names = list(dict.fromkeys(c.strip() for c in self.competitors if c.strip()))
        return self.model_copy(update={"keywords": names}) if names else None


def _table_model(platform: str) -> type[BaseModel] | None:
    return platform_named(platform).brand_table if platform in platform_names() else None


class BrandConfig(_Strict):
    brands: dict[str, Brand]

    def get(self, key: str) -> Brand:
        try:
            return self.brands[key]
        except KeyError:
            known = ", ".join(self.brands) or "none"
            raise ConfigError(f"no brand {key!r} in the brand file (brands: {known})") from None


def parse_brands(text: str, *, path: Path | str = "<brands.toml>") -> BrandConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_of_decode_error(str(exc)) or (len(text.splitlines()) or 1)
        raise ConfigError(f"not valid TOML: {exc}", path=path, line=line) from None
    brands = data.get("brands")
    if not isinstance(brands, dict) or not brands:
        raise ConfigError(
            "no brands defined; expected a table such as [brands.acme] with name, handles, keywords",
            path=path,
            key="brands",
        )
    unknown = sorted(set(data) - {"brands"})
    if unknown:
        raise ConfigError(
            f"unknown top-level key {unknown[0]!r}; only [brands.*] tables are allowed",
            path=path,
            line=_find_line(text, [unknown[0]]),
            key=unknown[0],
        )
    parsed: dict[str, Brand] = {}
    for key, value in brands.items():
        try:
            parsed[key] = Brand(key=key, **_as_table(value, key, path))
        except ValidationError as exc:
            raise _config_error_from(exc, text, path, key) from None
    return BrandConfig(brands=parsed)


def load_brands(path: Path | str) -> BrandConfig:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("brand file not found; run `mentiondesk init` to write a starter one", path=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read brand file: {exc}", path=file) from None
    return parse_brands(text, path=file)


def _as_table(value: Any, key: str, path: Path | str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError("expected a table like [brands.NAME]", path=path, key=f"brands.{key}")
    return value


def _config_error_from(exc: ValidationError, text: str, path: Path | str, brand_key: str) -> ConfigError:
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"] if p != "[key]"]
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
    elif first["type"] == "missing":
        message = f"missing required key {loc[-1]!r}"
    elif first["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif first["type"] == "literal_error":
        message = f"{message} (got {first.get('input')!r})"
    dotted = ".".join(["brands", brand_key, *loc])
    return ConfigError(message, path=path, line=_find_line(text, [brand_key, *loc]), key=dotted)


def _find_line(text: str, parts: list[str]) -> int | None:
    """Best-effort line of a key: the last path element that appears as `key =` or in a [table] header."""
    parts = [p for p in parts if p and not p.isdigit()]
    lines = text.splitlines()
    start = 0
    if parts:
        header = re.compile(r"^\s*\[+\s*brands\.\"?" + re.escape(parts[0]) + r"\"?[\].]")
        for i, line in enumerate(lines):
            if header.match(line):
                start = i
                break
    for name in reversed(parts):
        pattern = re.compile(r"^\s*(\"?)" + re.escape(name) + r"\1\s*=|^\s*\[+[^\]]*\b" + re.escape(name) + r"\b")
        for i in range(start, len(lines)):
            if pattern.search(lines[i]):
                return i + 1
    return start + 1 if parts else None


def _line_of_decode_error(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
