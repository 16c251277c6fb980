"""Text forms: the plain text the classifier reads, and the keys the data builders match tweets by."""

from __future__ import annotations

import html
import re

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


# Characters that change how text looks but carry no words: zero-width spaces and joiners, the word joiner,
# the byte-order mark, soft hyphens and bidirectional controls. Inside a word they split it for the tokenizer
# ("lo\u200bve" would be two unknown words), and an RTL override hides the words it reverses.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")
# [label](target), with one level of parentheses inside the target: "[click me](javascript:alert(1))".
_MD_LINK = re.compile(r"!?\[([^\[\]\n]{0,300})\]\((?:[^()\s]|\([^()\s]*\)){0,500}\)")
# **bold**, __bold__, *italic*: the marks go, the words stay ("2*3*4" is no emphasis). ~~Struck~~ words go too:
# the writer took them back ("~~great~~ awful service").
_MD_EMPHASIS = re.compile(r"(?<![\w*_~])(\*{1,3}|_{2,3})(?=\S)([^*_~\n]{1,300}?)(?<=\S)\1(?![\w*_~])")
_MD_STRUCK = re.compile(r"(?<![\w~])~~(?=\S)[^~\n]{1,300}?(?<=\S)~~(?![\w~])")
# A right-to-left override shows the characters after it in reverse, up to a pop or the end of the text.
_RTL_OVERRIDE = re.compile("\u202e([^\u202a-\u202e\u2066-\u2069]*)(?:\u202c|$)")
_MARKUP_SIGNS = frozenset("<[*_~")
_RUN_OF_SPACES = re.compile(r"[ \t]{2,}")


def plain_text(text: str) -> str:
    """The words of a post as the classifier should read them: invisible format characters removed, HTML tags,
    Markdown link targets, emphasis marks and struck words dropped, text under a right-to-left override put back
    in reading order (a Reddit "lost my order **again**" reads as "lost my order again"). Only the classifier's
    view: the stored post and the desk keep the text as written. The tweet tokenizer applies it (rules/cues.py)."""
    if not text.isascii():
        if "\u202e" in text:
            text = _RTL_OVERRIDE.sub(lambda m: m.group(1)[::-1], text)
        text = text.translate(_INVISIBLE)
    if _MARKUP_SIGNS.isdisjoint(text):
        return text
    plain = _HTML_TAG.sub(" ", text)
    plain = _MD_LINK.sub(r"\1", plain)
    plain = _MD_STRUCK.sub(" ", plain)
    plain = _MD_EMPHASIS.sub(r"\2", plain)
    # A removed tag leaves spaces the tokenizer would count as tokens of their own.
    return text if plain == text else _RUN_OF_SPACES.sub(" ", plain).strip()


def norm_key(text: str) -> str:
    """Lowercase, HTML entities decoded, URLs and @handles removed, whitespace collapsed."""
    text = html.unescape(text).lower()
    text = _HANDLE.sub(" ", _URL.sub(" ", text))
    return _SPACE.sub(" ", text).strip()


def alnum_key(text: str) -> str:
    return _NOT_ALNUM.sub("", norm_key(text))
