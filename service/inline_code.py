"""Style sheets and scripts that a scraper left in an article's text, without their tags.

A page's ``<style>`` and ``<script>`` elements are dropped with their tags (:mod:`service.markup`),
but some scrapers drop only the tags and keep the code as text: one SaudiNewsNet outlet appends
its poll widget's CSS and jQuery to eight articles. Kept in the matching form, those 1,700
characters of shared code made unrelated articles of that outlet close copies (six false
``semantic`` duplicates). Code is recognised as runs of code-shaped tokens (braces, semicolons,
assignments, calls, CSS selectors and declarations): at least eight of them, at least half of
the run's tokens, and a brace pair. Prose in any language, with an occasional brace, colon or
semicolon, does not form such a run (Arabic quotes Quranic verses and names in braces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A token that code writes: a brace, semicolon, bracket or "=", a call ("ready(", "from(#fff)"), a
# CSS selector (".box_vote", "#vote_area2"), a declaration or a key ("padding:18px", "margin:",
# "-webkit-text-shadow:"), a comment opener, or a closing parenthesis followed by more punctuation
# ("});"). Prose writes some of them too ("Note:"), but not with braces all around.
_CODE_TOKEN = re.compile(
    r"[{};=\[\]]|[A-Za-z_$]\(|^[#.][A-Za-z_]|[A-Za-z]:[\w#'-]|^-?[A-Za-z][\w-]*:$|^//|\)[;,.)]"
)
_TOKEN = re.compile(r"\S+")
MAX_GAP = 4  # other tokens allowed between two code tokens of one run ("(linear, left top, left 25, from(")
MIN_CODE_TOKENS = 8
MIN_CODE_SHARE = 0.5  # of the run's tokens (prose with braces: "the set {a, b} has two members; ...", 0.35)


@dataclass(slots=True)
class _Run:
    """Code-shaped tokens close together: where they start and end, how many, among how many."""

    start: int
    end: int
    code: int = 0
    tokens: int = 0
    opened: int = 0
    closed: int = 0

    def is_code(self) -> bool:
        return (
            self.code >= MIN_CODE_TOKENS
            and self.code >= MIN_CODE_SHARE * self.tokens
            and min(self.opened, self.closed) >= 1
        )


def _code_runs(text: str) -> list[tuple[int, int]]:
    """Character spans of the runs of code-shaped tokens that qualify as code."""
    runs: list[_Run] = []
    gap = 0
    for token in _TOKEN.finditer(text):
        word = token.group()
        if _CODE_TOKEN.search(word) is None:
            gap += 1
            continue
        if not runs or gap > MAX_GAP:
            runs.append(_Run(token.start(), token.end()))
        else:
            runs[-1].tokens += gap
        run, gap = runs[-1], 0
        run.end, run.code, run.tokens = token.end(), run.code + 1, run.tokens + 1
        run.opened += word.count("{")
        run.closed += word.count("}")
    return [(run.start, run.end) for run in runs if run.is_code()]


def without_code(text: str) -> str:
    """The text with runs of style-sheet or script code replaced by line breaks (the text around
    them is kept as separate lines); text with no brace is returned as it is, at once."""
    if "{" not in text:
        return text
    runs = _code_runs(text)
    if not runs:
        return text
    parts, at = [], 0
    for start, end in runs:
        parts.append(text[at:start])
        at = end
    parts.append(text[at:])
    return "\n".join(parts)
