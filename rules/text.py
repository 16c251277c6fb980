"""Text keys shared by the data builders: one normalised form to match tweets across corpora."""

from __future__ import annotations

import html
import re

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def norm_key(text: str) -> str:
    """Lowercase, HTML entities decoded, URLs and @handles removed, whitespace collapsed."""
    text = html.unescape(text).lower()
    text = _HANDLE.sub(" ", _URL.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def alnum_key(text: str) -> str:
    return _NOT_ALNUM.sub("", norm_key(text))
