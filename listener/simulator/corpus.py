"""Mention texts for the simulator: the lead's demo corpus when it exists, else a small built-in set."""

from __future__ import annotations

import importlib
import random
import re

_DEMO_HANDLE = re.compile(r"@NorthwindCoffee\b\s*", re.IGNORECASE)
_DEMO_NAME = re.compile(r"\bNorthwind(?: Coffee)?\b", re.IGNORECASE)

_BUILTIN = [
    "my {product} stopped syncing again after the update, third time this week",
    "hey, does {product} work offline? thinking about switching",
    "just want to say the support team at {product} sorted my refund in 10 minutes. legends",
    "{product} charged me twice for the same month?? still waiting on an answer",
    "anyone know if {product} has a student discount",
    "loving the new dark mode in {product}",
    "why does {product} log me out every single morning",
    "is {product} down right now? nothing loads",
    "three weeks and my order from {product} still says 'processing'",
    "honestly the best purchase I made this year was {product}",
    "can I export my data from {product} to CSV?",
    "{product} app crashes when I open settings on Android 14",
    "shoutout to {product} for the quick fix, works perfectly now",
    "the {product} onboarding is confusing, where do I add a teammate?",
    "cancelled {product} today. too many bugs, not enough answers",
    "does {product} ship to Canada?",
    "the new {product} pricing is a joke",
    "thanks {product}! the replacement arrived today",
    "how do I reset my password on {product}? the email never arrives",
    "{product} customer service put me on hold for 45 minutes",
]

# Text a listener must treat as data: markup, bidi controls, zero-width characters, very long posts.
_HOSTILE = [
    "<script>alert('x')</script> {product} is broken",
    "\u202eesrever ni {product}\u202c why is my invoice wrong",
    "{product}\u200b\u200b\u200b refund please \u2066\u05e9\u05dc\u05d5\u05dd\u2069",
    "<b>{product}</b> &amp; friends &lt;3 ' OR 1=1 --",
    "{product} " + "very long complaint " * 500,
]


def _demo_texts() -> dict[str, list[str]]:
    """The demo corpus's texts by style ("post", "thread"); empty when the corpus is not there."""
    try:
        module = importlib.import_module("listener.demo_corpus")
    except ImportError:
        return {}
    texts: dict[str, list[str]] = {}
    for item in getattr(module, "DEMO_MENTIONS", []):
        text = getattr(item, "text", item if isinstance(item, str) else None)
        if isinstance(text, str) and text.strip():
            texts.setdefault(str(getattr(item, "style", "")), []).append(text)
    return texts


class Corpus:
    def __init__(self, rng: random.Random, *, hostile_share: float = 0.03) -> None:
        self.rng = rng
        self.demo = _demo_texts()
        self.hostile_share = hostile_share

    def text(self, product: str, style: str = "post") -> str:
        """A mention body naming nothing in particular, in a style of the demo corpus ("post", "thread"; any
        when it has none); callers add the @handle or keyword they need."""
        if self.rng.random() < self.hostile_share:
            return self.rng.choice(_HOSTILE).format(product=product)
        pool = self.demo.get(style) or [t for texts in self.demo.values() for t in texts]
        if pool:
            # The corpus is written for its own demo brand; it becomes whichever brand the simulator plays.
            text = _DEMO_HANDLE.sub("", self.rng.choice(pool)).strip()
            return _DEMO_NAME.sub(product, text)
        return self.rng.choice(_BUILTIN).format(product=product)
