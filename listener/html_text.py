"""Post bodies that platforms send as HTML (ActivityPub statuses, forum comments) as the plain text a
person reads: tags dropped, entities decoded, paragraphs and line breaks kept. What was escaped markup in
the post ("&lt;script&gt;") stays text ("<script>"): data, never markup."""

from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()
