"""A small evaluator for the search syntax the networks' search endpoints share: terms, "phrases", ( ), OR,
implicit AND, negation (-term or NOT term) and the operators we send (is:retweet, from:, lang:)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(\()|(\))|(-?"[^"]*")|([^\s()]+))')


@dataclass(frozen=True)
class Post:
    text: str
    author: str = ""
    lang: str = ""
    is_retweet: bool = False


Predicate = Callable[[Post], bool]


def _term(raw: str) -> Predicate:
    lowered = raw.lower()
    if lowered.startswith("from:"):
        name = lowered[5:].lstrip("@")
        return lambda p: p.author.lower() == name
    if lowered.startswith("lang:"):
        lang = lowered[5:]
        return lambda p: p.lang.lower() == lang
    if lowered == "is:retweet":
        return lambda p: p.is_retweet
    phrase = raw.strip('"')
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)
    return lambda p: bool(pattern.search(p.text))


def compile_query(query: str) -> Predicate:
    """Raises ValueError on unbalanced parentheses or an empty query."""
    tokens: list[str] = []
    pos = 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if not match or match.end() == pos:
            break
        tokens.append(next(g for g in match.groups() if g is not None))
        pos = match.end()
    index = 0

    def peek() -> str | None:
        return tokens[index] if index < len(tokens) else None

    def parse_or() -> Predicate:
        nonlocal index
        parts = [parse_and()]
        while peek() == "OR":
            index += 1
            parts.append(parse_and())
        return parts[0] if len(parts) == 1 else (lambda p: any(f(p) for f in parts))

    def parse_and() -> Predicate:
        parts: list[Predicate] = []
        while peek() not in (None, ")", "OR"):
            parts.append(parse_unary())
        if not parts:
            raise ValueError("empty expression")
        return parts[0] if len(parts) == 1 else (lambda p: all(f(p) for f in parts))

    def parse_unary() -> Predicate:
        nonlocal index
        token = peek()
        assert token is not None
        if token == "NOT":
            index += 1
            inner = parse_unary()
            return lambda p: not inner(p)
        if token.startswith("-") and len(token) > 1:
            index += 1
            negated = _term(token[1:])
            return lambda p: not negated(p)
        if token == "(":
            index += 1
            inner = parse_or()
            if peek() != ")":
                raise ValueError("unbalanced parentheses")
            index += 1
            return inner
        index += 1
        return _term(token)

    predicate = parse_or()
    if index != len(tokens):
        raise ValueError("unbalanced parentheses")
    return predicate
