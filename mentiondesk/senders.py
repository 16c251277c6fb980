"""Every platform's Sender, keyed by platform: the replay outbox always, X and Reddit when configured."""

from __future__ import annotations

from listener.replay import OutboxSender
from mentiondesk.settings import Settings
from responders.sending import Sender


def build_all_senders(settings: Settings) -> dict[str, Sender]:
    senders: dict[str, Sender] = {"replay": OutboxSender(settings.outbox_dir)}
    try:
        from listener.registry import build_senders
    except ImportError:  # the platforms module is optional in a trimmed install
        return senders
    senders.update(build_senders(settings))
    return senders
