"""Starter files written by `mentiondesk init`. `.env.example` in the repository is ENV_TEMPLATE verbatim
(a test keeps them equal and checks that every setting appears). Each platform's part comes from its
descriptor (`settings_note`, `starter_handle`, `starter_table`)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr

from mentiondesk.core.platform import Platform
from mentiondesk.platforms import PLATFORMS, SHARED_ACCESS_FIELDS
from responders.templates import BY_LANGUAGE

_ENV_HEAD = """\
# Mention Desk settings. Every variable is optional; the defaults run on SQLite with no keys.

# Database: any SQLAlchemy URL. PostgreSQL: postgresql+psycopg://user@127.0.0.1:5432/mentiondesk
MENTIONDESK_DATABASE_URL=sqlite:///mentiondesk.db
# The brand file (see `mentiondesk init`)
MENTIONDESK_BRANDS_FILE=brands.toml
# A trained classifier directory (`mentiondesk train --output DIR`); empty = the shipped model
MENTIONDESK_MODEL=
# DEBUG, INFO, WARNING, ERROR or CRITICAL; empty = WARNING (INFO for `mentiondesk run`); `mentiondesk -v` = DEBUG
MENTIONDESK_LOG_LEVEL=
# true: the HTTP libraries (urllib3, oauthlib, tweepy, prawcore) log their requests too. Secrets are always redacted.
MENTIONDESK_LOG_HTTP=false
# text (one line a record) or json (one JSON object a line, for a log collector). Secrets are redacted either way.
MENTIONDESK_LOG_FORMAT=text
# Where the replay platform's outbox records replies
MENTIONDESK_OUTBOX_DIR=outbox
# Your own copy of the price card for `mentiondesk budget` (mentiondesk/price_card.toml); empty = the shipped one
MENTIONDESK_PRICE_CARD=

# Web desk
MENTIONDESK_HOST=127.0.0.1
MENTIONDESK_PORT=8000
# Signs session cookies; empty = a random key kept in the database
MENTIONDESK_SECRET_KEY=
# true behind a TLS-terminating proxy: session cookies are then always marked Secure
MENTIONDESK_SECURE_COOKIES=false

"""

_ENV_TAIL = """\
# Service (`mentiondesk run`)
MENTIONDESK_POLL_INTERVAL_SECONDS=60
MENTIONDESK_SEND_INTERVAL_SECONDS=30
# A send interrupted longer ago than this (a crash mid-send) is checked on the platform, then finished
MENTIONDESK_SEND_STALE_SECONDS=120
MENTIONDESK_REQUEST_TIMEOUT_SECONDS=10

# Alerts: targets (webhook, Slack, e-mail addresses) are set per brand in the brand file, [brands.KEY.alerts]
# Seconds between alert checks in `mentiondesk run`
MENTIONDESK_ALERT_CHECK_SECONDS=60
# Tries per target before an alert is reported undelivered, and the wait before the first retry (doubling)
MENTIONDESK_ALERT_ATTEMPTS=3
MENTIONDESK_ALERT_RETRY_SECONDS=2
# SMTP server for e-mail alerts (email_to); without a host, e-mail alerts are reported undelivered
MENTIONDESK_SMTP_HOST=
MENTIONDESK_SMTP_PORT=587
MENTIONDESK_SMTP_USERNAME=
MENTIONDESK_SMTP_PASSWORD=
MENTIONDESK_SMTP_FROM=mentiondesk@localhost
MENTIONDESK_SMTP_STARTTLS=true
"""

_BRANDS_HEAD = """\
# Mention Desk brand file. One [brands.KEY] table per brand.

[brands.acme]
name = "Acme Coffee"
# Words that count as a mention even without @handle (matched case-insensitively)
keywords = ["acme coffee", "acmecoffee"]
# Mentions containing any of these are ignored
exclude = ["acme anvil"]
# The languages you answer in (ISO 639-1); the first is the default: the language of [brands.acme.templates],
# and of the "Needs review" draft for a mention in a language not listed here (or without templates in it)
languages = ["en", "de", "es", "fr", "it", "pt"]
competitors = ["BeanCo", "Brewster's"]
# Response-time target shown on the desk
response_target_minutes = 60
# Delete mentions (and their drafts) older than this many days; trend counts stay. Unset keeps everything.
# retention_days = 365
# Appended to every reply (e.g. an agent's initials); empty for none
signature = ""

[brands.acme.handles]
"""

_BRANDS_TAIL = """
[brands.acme.reply_policy]
# Automated thank-you replies to clear praise that @mentions us (never to complaints, sarcasm or questions)
auto_thank = false
daily_cap = 50
quiet_hours = "22:00-07:00"
timezone = "UTC"
# Minimum praise confidence for an automated thank-you (0.5-1.0); leave out for the safe default
# thank_threshold = 0.9
disclosure = "(automated reply)"
auto_reply_platforms = {automated}
thank_cooldown_hours = 168
# Minutes each automated thank-you waits in the desk's "Going out" lane, where a manager can stop it
thank_hold_minutes = 10
# May whoever writes a reply on the desk approve it too? false: a second person approves it
allow_self_approval = false

[brands.acme.routing]
# Complaints at or above this urgency (0-100) are escalated to the top of the queue
escalate_urgency = 70
draft_categories = ["complaint", "praise", "question", "other"]
# Draft replies to keyword-only matches where the platform allows it ({keyword_rule})
draft_keyword_matches = true
# "Other" mentions that merely name the brand (needs-reply probability below this) become insight, not drafts
needs_reply_floor = 0.35
ignore_authors = []

# Optional: when your team works. The response target then counts these hours only.
# [brands.acme.business_hours]
# hours = "09:00-17:30"
# days = ["mon", "tue", "wed", "thu", "fri"]
# timezone = "Europe/London"

# Optional: who hears about escalations, spikes, failing sources and missed targets (docs/desk.md#alerts).
# Alerts are stored and shown on the desk's Alerts page either way; e-mail uses MENTIONDESK_SMTP_* in .env.
# [brands.acme.alerts]
# webhook_url = "https://hooks.example.com/mentiondesk"
# webhook_secret = "a long random string"   # signs each body: X-MentionDesk-Signature: sha256=...
# slack_webhook_url = "https://hooks.slack.com/services/..."
# email_to = ["social@example.com"]
# spike_min_count = 10
# cooldown_minutes = 60

# Optional: tags put on new mentions as they are stored; a rule passes when each condition it names passes
# (keywords, categories, languages, platforms). People add tags on the desk too (docs/desk.md#tags).
# [[brands.acme.tags]]
# tag = "refund"
# keywords = ["refund", "money back"]
# categories = ["complaint"]
"""

_TEMPLATES_HEAD = """
# Your wording, Jinja2, variables name, handle, brand, platform. Several variants rotate, and an author never
# gets the same words twice in a row. [brands.acme.templates] is the default language (the first of
# `languages`); [brands.acme.templates.<language>] the same keys in another. A category left out uses the
# shipped wording (responders/templates.py). complaint: apologise and own it, no promises of refunds or dates;
# other: never thank (it may be a grievance the model missed); safe, when the classifier is unsure ("Needs
# review"), safe_praise and safe_question, when such a mention reads as praise or a question: acknowledge and
# offer help; never thank, celebrate, apologise or promise.
"""


def _env_value(default: Any) -> str:
    if default is None or isinstance(default, SecretStr):
        return ""
    return str(default)


def _env_section(platform: Platform[Any]) -> str:
    lines = [
        f"{platform.env_prefix}{name.upper()}={_env_value(info.default)}"
        for name, info in platform.access.model_fields.items()
        if name not in SHARED_ACCESS_FIELDS
    ]
    return f"# {platform.settings_note}\n" + "".join(f"{line}\n" for line in lines) + "\n" if lines else ""


def _toml_list(values: list[str]) -> str:
    return "[\n" + "".join(f"    {json.dumps(v, ensure_ascii=False)},\n" for v in values) + "]"


def _templates_section() -> str:
    sections = []
    for language, categories in BY_LANGUAGE.items():
        header = "[brands.acme.templates]" if language == "en" else f"[brands.acme.templates.{language}]"
        body = "".join(f"{category} = {_toml_list(values)}\n" for category, values in categories.items())
        sections.append(f"\n{header}\n{body}")
    return _TEMPLATES_HEAD + "".join(sections)


def _brands_template() -> str:
    starters = [p for p in PLATFORMS if p.starter_handle]
    handles = "".join(f'{p.name} = ["{p.starter_handle}"]\n' for p in starters)
    tables = "".join(f"\n[brands.acme.{p.name}]\n{p.starter_table}" for p in starters if p.starter_table)
    automated = ", ".join(f'"{p.name}"' for p in starters if p.replies.automated_by_default)
    allowed = [p.title for p in starters if p.replies.keyword_replies]
    refused = [p.title for p in starters if not p.replies.keyword_replies]
    keyword_rule = ", ".join(
        [f"{' and '.join(allowed)} yes"] * bool(allowed) + [f"{' and '.join(refused)} never"] * bool(refused)
    )
    tail = _BRANDS_TAIL.replace("{automated}", f"[{automated}]").replace("{keyword_rule}", keyword_rule)
    return _BRANDS_HEAD + handles + tables + tail + _templates_section()


ENV_TEMPLATE = _ENV_HEAD + "".join(_env_section(p) for p in PLATFORMS) + _ENV_TAIL
BRANDS_TEMPLATE = _brands_template()
