from __future__ import annotations

from service.urls import canonical_url


def test_scheme_www_slash_and_tracking_are_removed() -> None:
    a = canonical_url("https://www.Example.com/news/story/?utm_source=tw&utm_medium=x&id=7#comments")
    b = canonical_url("http://example.com/news/story?id=7")
    assert a == b == "example.com/news/story?id=7"


def test_query_order_does_not_matter() -> None:
    assert canonical_url("http://x.org/a?b=2&a=1") == canonical_url("http://x.org/a?a=1&b=2")


def test_percent_encoding_is_unified() -> None:
    assert canonical_url("http://x.org/وصول-الطائرة") == canonical_url(
        "http://x.org/%D9%88%D8%B5%D9%88%D9%84-%D8%A7%D9%84%D8%B7%D8%A7%D8%A6%D8%B1%D8%A9"
    )


def test_empty_is_none_and_distinct_pages_differ() -> None:
    assert canonical_url(None) is None
    assert canonical_url("  ") is None
    assert canonical_url("http://x.org/a/1") != canonical_url("http://x.org/a/2")
