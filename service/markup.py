"""Markup in incoming text: HTML tags and entities become the text a reader sees.

Feeds and scrapers often pass a page's markup along (``<p>``, ``&quot;``, ``&#8217;``). Kept, it
showed in titles and summaries, made ``div`` and ``quot`` keywords, and tied unrelated articles
of one outlet together through their shared page template. Only what parses as a tag is removed:
``a < b`` and ``x>3`` in plain text stay as they are.
"""

from __future__ import annotations

import html
import re

# Elements whose content is never text a reader sees, and comments: where each opens; where it
# ends is found with str.find (a lazy ``.*?`` to a closing tag would rescan the rest of the text
# for every unclosed one: quadratic, seconds for a body of repeated "<style>").
_HIDDEN_OPEN = re.compile(r"<(script|style|noscript|template)\b[^>]*>|<!--", re.I)
# Tags that end a line or a paragraph where they stand.
_BREAK = re.compile(
    r"</?(p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|header|footer|figure|"
    r"figcaption|aside|pre|hr|dd|dt)\b[^<>]*>",
    re.I,
)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9:-]*(\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def has_markup(text: str) -> bool:
    """True when the text holds an HTML tag, comment or character entity."""
    return ("<" in text and (_TAG.search(text) is not None or "<!--" in text)) or (
        "&" in text and _ENTITY.search(text) is not None
    )


def _without_hidden(text: str) -> str:
    """The text without hidden elements and comments (an unclosed one runs to the end), in one pass."""
    lowered, kept, at = text.lower(), [], 0
    while (found := _HIDDEN_OPEN.search(text, at)) is not None:
        kept.append(text[at : found.start()])
        closing = f"</{found.group(1).lower()}" if found.group(1) else "-->"
        end = lowered.find(closing, found.end())
        if end < 0:
            return " ".join(kept)
        at = text.find(">", end) + 1 if found.group(1) else end + len(closing)
        if at <= 0:
            return " ".join(kept)
    kept.append(text[at:])
    return " ".join(kept)


def to_text(text: str) -> str:
    """The text with markup rendered: hidden elements and tags removed, block tags as line
    breaks, entities decoded. Text without markup is returned unchanged."""
    if not has_markup(text):
        return text
    text = _without_hidden(text)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = _ENTITY.sub(lambda entity: html.unescape(entity.group()), text)  # only complete ones
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def to_line(text: str) -> str:
    """:func:`to_text` for a one-line field (a title): line breaks become spaces."""
    rendered = to_text(text)
    return text if rendered is text else " ".join(rendered.split())
