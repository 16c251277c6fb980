"""Where alerts go: a webhook (JSON, HMAC-SHA256 signed when a secret is set), a Slack incoming webhook, and
e-mail over SMTP. Each target is tried a few times with a growing pause; a target that still fails is reported
in the alert's deliveries and never stops the others."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from mentiondesk.core.brands import Alerts
from mentiondesk.settings import Settings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MentionDesk-Signature"


@dataclass(frozen=True)
class Message:
    alert_id: int
    brand: str
    rule: str
    title: str
    body: str
    at: str
    trigger: dict[str, Any]

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "alert_id": self.alert_id,
                "brand": self.brand,
                "rule": self.rule,
                "title": self.title,
                "body": self.body,
                "at": self.at,
                "trigger": self.trigger,
            },
            ensure_ascii=False,
            default=str,
        ).encode()


class DeliveryError(Exception):
    """One attempt failed; the message is what the alert's record shows (never a secret or a URL's query)."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__.lower()}: could not reach the target") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}")


def _webhook(config: Alerts, settings: Settings) -> Callable[[Message], None]:
    def send(message: Message) -> None:
        body = message.as_json()
        headers = {"Content-Type": "application/json", "User-Agent": "mentiondesk-alerts"}
        secret = config.webhook_secret.get_secret_value()
        if secret:
            headers[SIGNATURE_HEADER] = signature(secret, body)
        _post(config.webhook_url, body, headers, settings.request_timeout_seconds)

    return send


def _slack(config: Alerts, settings: Settings) -> Callable[[Message], None]:
    def send(message: Message) -> None:
        body = json.dumps({"text": f"*{message.title}*\n{message.body}"}, ensure_ascii=False).encode()
        _post(config.slack_webhook_url, body, {"Content-Type": "application/json"}, settings.request_timeout_seconds)

    return send


def send_mail(mail: EmailMessage, to: list[str], settings: Settings) -> None:
    """One message through the configured SMTP server (STARTTLS and login when set)."""
    if not settings.smtp_host:
        raise DeliveryError("MENTIONDESK_SMTP_HOST is not set")
    mail["From"] = settings.smtp_from
    mail["To"] = ", ".join(to)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.request_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"smtp: {type(exc).__name__}") from None


def _email(config: Alerts, settings: Settings) -> Callable[[Message], None]:
    def send(message: Message) -> None:
        mail = EmailMessage()
        mail["Subject"] = f"[Mention Desk] {message.title}"
        mail.set_content(f"{message.body}\n\nRaised {message.at} by the {message.rule} rule.")
        send_mail(mail, config.email_to, settings)

    return send


def targets(config: Alerts, settings: Settings) -> dict[str, Callable[[Message], None]]:
    found: dict[str, Callable[[Message], None]] = {}
    if config.webhook_url:
        found["webhook"] = _webhook(config, settings)
    if config.slack_webhook_url:
        found["slack"] = _slack(config, settings)
    if config.email_to:
        found["email"] = _email(config, settings)
    return found


def deliver(
    message: Message, config: Alerts, settings: Settings, *, sleep: Callable[[float], None] = time.sleep
) -> list[dict[str, Any]]:
    """Every target in turn, each tried up to MENTIONDESK_ALERT_ATTEMPTS times: one entry per target."""
    results = []
    for name, send in targets(config, settings).items():
        error = ""
        attempts = 0
        for attempts in range(1, settings.alert_attempts + 1):
            try:
                send(message)
                error = ""
                break
            except DeliveryError as exc:
                error = str(exc)
                log.info("alert %d to %s, attempt %d: %s", message.alert_id, name, attempts, error)
                if attempts < settings.alert_attempts:
                    sleep(settings.alert_retry_seconds * 2 ** (attempts - 1))
        results.append({"target": name, "ok": not error, "attempts": attempts, "error": error})
    return results
