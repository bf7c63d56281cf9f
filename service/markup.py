"""Markup in incoming text: HTML tags and entities become the text a reader sees.

Feeds and scrapers often pass a page's markup along (``<p>``, ``&quot;``, ``&#8217;``). Kept, it
showed in titles and summaries, made ``div`` and ``quot`` keywords, and tied unrelated articles
of one outlet together through their shared page template. Only what parses as a tag is removed:
``a < b`` and ``x>3`` in plain text stay as they are.
"""

from __future__ import annotations

import html
import re

# Elements whose content is never text a reader sees.
_HIDDEN = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I)
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


def to_text(text: str) -> str:
    """The text with markup rendered: hidden elements and tags removed, block tags as line
    breaks, entities decoded. Text without markup is returned unchanged."""
    if not has_markup(text):
        return text
    text = _HIDDEN.sub(" ", text)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def to_line(text: str) -> str:
    """:func:`to_text` for a one-line field (a title): line breaks become spaces."""
    return " ".join(to_text(text).split()) if has_markup(text) else text
