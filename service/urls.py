"""Canonical URLs: one spelling per page, so re-posts under another id are recognised."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# "mailto:", "javascript:", "tel:" ... (a host with a port, "example.com:8080/a", has a digit after the colon)
_OTHER_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+-]*):(?!\d)")
# Query parameters that track a click rather than name a page.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
_TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "smid",
        "share",
        "from",
        "output",
        "amp",
        "live",
    }
)


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING_KEYS or key.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str | None) -> str | None:
    """Canonical form of ``url``: no scheme, no ``www.``, no fragment, no tracking
    parameters, sorted query, no trailing slash, percent-encoding unified.

    Returns None for an empty value.
    """
    if url is None or not url.strip():
        return None
    raw = url.strip()
    if "://" not in raw:
        raw = "http://" + raw
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=-._~")
    path = path.rstrip("/")
    query_items = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query = urlencode(sorted(query_items))
    return urlunsplit(("", host, path, query, "")).lstrip("/")


def check_url(url: str) -> str:
    """``url`` unchanged when it can be a web address; else ValueError naming it and the fix.

    It must parse, with a valid port and a host name without spaces: ``"not a url"``,
    ``http://[bad`` or ``http://host:99999/`` would derive one id for many articles, or fail
    later. Spaces in the path are left alone (published links carry them unencoded)."""
    text = url.strip()
    fix = "send the article's address (e.g. https://example.com/story) or leave url out"
    scheme = _OTHER_SCHEME.match(text)
    if scheme and "://" not in text:
        raise ValueError(f"{url!r} is a {scheme.group(1)}: link, not a web address; {fix}")
    try:
        parts = urlsplit(text if "://" in text else "http://" + text)
        host, _ = parts.hostname or "", parts.port
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid address ({exc}); {fix}") from None
    if not host or any(ch.isspace() for ch in host):
        raise ValueError(f"{url!r} names no host (such as example.com); {fix}")
    return url
