"""Starter files written by `mentiondesk init`. `.env.example` in the repository is ENV_TEMPLATE verbatim
(a test keeps them equal and checks that every setting appears)."""

from __future__ import annotations

ENV_TEMPLATE = """\
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

# X (API v2 through tweepy). Without credentials X is skipped.
MENTIONDESK_X_API_BASE_URL=https://api.twitter.com
MENTIONDESK_X_BEARER_TOKEN=
MENTIONDESK_X_API_KEY=
MENTIONDESK_X_API_SECRET=
MENTIONDESK_X_ACCESS_TOKEN=
MENTIONDESK_X_ACCESS_SECRET=

# Reddit (praw). Without credentials Reddit is skipped.
MENTIONDESK_REDDIT_OAUTH_URL=https://oauth.reddit.com
MENTIONDESK_REDDIT_URL=https://www.reddit.com
MENTIONDESK_REDDIT_CLIENT_ID=
MENTIONDESK_REDDIT_CLIENT_SECRET=
MENTIONDESK_REDDIT_USERNAME=
MENTIONDESK_REDDIT_PASSWORD=
MENTIONDESK_REDDIT_USER_AGENT=mentiondesk/0.1 (brand listening desk)

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

BRANDS_TEMPLATE = """\
# Mention Desk brand file. One [brands.KEY] table per brand.

[brands.acme]
name = "Acme Coffee"
# Words that count as a mention even without @handle (matched case-insensitively)
keywords = ["acme coffee", "acmecoffee"]
# Mentions containing any of these are ignored
exclude = ["acme anvil"]
languages = ["en"]
competitors = ["BeanCo", "Brewster's"]
# Response-time target shown on the desk
response_target_minutes = 60
# Delete mentions (and their drafts) older than this many days; trend counts stay. Unset keeps everything.
# retention_days = 365
# Appended to every reply (e.g. an agent's initials); empty for none
signature = ""

[brands.acme.handles]
x = ["AcmeCoffee"]
reddit = ["AcmeCoffee"]

[brands.acme.reddit]
subreddits = ["coffee"]
search_sitewide = true

[brands.acme.reply_policy]
# Automated thank-you replies to clear praise that @mentions us (never to complaints, sarcasm or questions)
auto_thank = false
daily_cap = 50
quiet_hours = "22:00-07:00"
timezone = "UTC"
# Minimum praise confidence for an automated thank-you (0.5-1.0); leave out for the safe default
# thank_threshold = 0.9
disclosure = "(automated reply)"
auto_reply_platforms = ["x"]
thank_cooldown_hours = 168

[brands.acme.routing]
# Complaints at or above this urgency (0-100) are escalated to the top of the queue
escalate_urgency = 70
draft_categories = ["complaint", "praise", "question", "other"]
# Draft replies to keyword-only matches where the platform allows it (Reddit yes, X never)
draft_keyword_matches = true
ignore_authors = []

# Optional: your own wording, Jinja2, variables name, handle, brand, platform. Several variants rotate.
# [brands.acme.templates]
# complaint = ["Hi {{ name }}, we're sorry. Please DM us your order number and we'll sort it out."]
"""
