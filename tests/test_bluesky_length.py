"""Bluesky limits a post to 300 graphemes (and 3,000 UTF-8 bytes), not 300 code points: a family emoji (seven
code points) or a letter with a combining accent (two) is one. The desk's length rule counts as Bluesky does,
and the simulator's PDS refuses what the real one refuses; a reply that fits is posted through atproto."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from listener.base import OutgoingReply
from listener.bluesky import BlueskyAccess, BlueskySender, BlueskySession
from listener.simulator import Simulator
from mentiondesk.core.errors import SendFailed
from responders.length import fits, limit, weighted_length

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man ZWJ woman ZWJ girl ZWJ boy: 7 code points
E_ACUTE = "e\u0301"  # e and a combining acute accent
THUMB = "\U0001f44d\U0001f3fd"  # thumbs up with a skin tone
FLAG = "\U0001f1ef\U0001f1f5"  # two regional indicators
HINDI = "\u0928\u092e\u0938\u094d\u0924\u0947"  # नमस्ते: 6 code points, 3 graphemes (न, म, स्ते)


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        (FAMILY, 1),
        (E_ACUTE * 10, 10),
        (THUMB + FLAG + "ok", 4),
        (HINDI, 3),
        ("Ça va? " + FAMILY + " " + E_ACUTE, 10),
    ],
)
def test_bluesky_counts_grapheme_clusters(text: str, graphemes: int) -> None:
    assert weighted_length(text, "bluesky") == graphemes
    assert weighted_length(text, "reddit") == len(text)  # other networks count their own way


def test_a_reply_of_300_accented_letters_fits_and_301_does_not() -> None:
    assert limit("bluesky") == 300
    assert len(E_ACUTE * 300) == 600 and fits(E_ACUTE * 300, "bluesky")  # counted as code points: 600
    assert not fits(E_ACUTE * 301, "bluesky")
    assert fits("Sorry about that! " + FAMILY * 20, "bluesky")  # 158 code points, 38 graphemes


def test_long_clusters_meet_the_byte_limit_first() -> None:
    # 300 family emoji are 300 graphemes but 7,500 bytes: over the 3,000-byte limit
    assert len((FAMILY * 120).encode()) == 3000 and fits(FAMILY * 120, "bluesky")
    assert not fits(FAMILY * 121, "bluesky") and not fits(FAMILY * 300, "bluesky")


def _reply(target: str, text: str, key: str) -> OutgoingReply:
    return OutgoingReply(
        draft_id=1,
        platform="bluesky",
        brand="acme",
        in_reply_to=target,
        author_handle="someone",
        text=text,
        idempotency_key=key,
        claimed_at=datetime.now(UTC),
    )


def test_the_pds_takes_what_fits_and_refuses_what_does_not(tmp_path: Path) -> None:
    with Simulator.start(brand_handles={"bluesky": ["acme.bsky.social"]}, keywords=["acme"], seed=11) as sim:
        [target] = sim.add_mentions(1, platform="bluesky", kind="mention")
        access = BlueskyAccess(
            base_url=sim.bluesky_base_url,
            handle=sim.bluesky.handle,
            app_password=SecretStr(sim.bluesky.password),
            session_file=tmp_path / "session",
            timeout_seconds=5,
        )
        sender = BlueskySender(BlueskySession(access))
        fitting = "Merci " + E_ACUTE * 280 + " " + FAMILY * 10  # 297 graphemes, 577 code points
        assert fits(fitting, "bluesky") and len(fitting) > 300

        sent = sender.send(_reply(target, fitting, "k-1"))
        with pytest.raises(SendFailed) as too_long:
            sender.send(_reply(target, E_ACUTE * 301, "k-2"))

        assert sent.external_id and [r["text"] for r in sim.replies("bluesky")] == [fitting]
        assert "300 graphemes" in str(too_long.value) and not too_long.value.retryable
