from __future__ import annotations

import pytest

from service.urls import canonical_url, check_url


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


def test_check_url_refuses_what_is_not_an_address() -> None:
    assert check_url("https://www.example.com/a?b=1") == "https://www.example.com/a?b=1"
    assert check_url("example.com/a") == "example.com/a"
    assert check_url("localhost:8080/a") == "localhost:8080/a"
    published = "http://www.al-madina.com/node/620849/«التقني»\xa0تعلن.html"  # as SaudiNewsNet has it
    assert check_url(published) == published
    for bad, why in (
        ("not a url", "no host"),
        ("https:///path", "no host"),
        ("javascript:alert(1)", "javascript: link"),
        ("http://[bad", "IPv6"),
        ("http://h:99999/", "Port"),
        ("http://h:x/", "Port"),
    ):
        with pytest.raises(ValueError, match=why):
            check_url(bad)
