"""The rendered-page cache: served while current, re-rendered after a change, bounded."""

from __future__ import annotations

from service.page_cache import PageCache, Rendered


class Renderer:
    """Counts renders; each render's body names its number."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return f'{{"render": {self.calls}}}'.encode()


def test_a_page_is_rendered_once_per_version() -> None:
    cache, render = PageCache(), Renderer()
    first = cache.get_or_render("p", render)
    assert cache.get_or_render("p", render) is first and render.calls == 1
    cache.bump()
    again = cache.get_or_render("p", render)
    assert render.calls == 2 and again.body == b'{"render": 2}' and again.etag != first.etag
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_page_rendered_across_a_change_is_not_kept() -> None:
    cache, render = PageCache(), Renderer()

    def racing() -> bytes:
        body = render()
        cache.bump()  # a commit lands while the page is being read
        return body

    cache.get_or_render("p", racing)
    cache.get_or_render("p", render)
    assert render.calls == 2


def test_entries_expire_and_the_cache_stays_bounded() -> None:
    now = [0.0]
    cache, render = PageCache(max_entries=2, max_age=5.0, clock=lambda: now[0]), Renderer()
    cache.get_or_render("a", render)
    now[0] = 4.0
    cache.get_or_render("a", render)
    assert render.calls == 1
    now[0] = 5.5
    cache.get_or_render("a", render)
    assert render.calls == 2
    cache.get_or_render("b", render)
    cache.get_or_render("a", render)  # most recently used: "b" is evicted next
    cache.get_or_render("c", render)
    calls = render.calls
    cache.get_or_render("a", render)
    assert render.calls == calls
    cache.get_or_render("b", render)
    assert render.calls == calls + 1


def test_if_none_match_names_the_etag() -> None:
    page = Rendered.of(b"{}")
    assert page.etag.startswith('"') and page.etag.endswith('"')
    assert Rendered.of(b"{}").etag == page.etag != Rendered.of(b"[]").etag
    assert page.matches(page.etag) and page.matches(f'"x", W/{page.etag}') and page.matches("*")
    assert not page.matches(None) and not page.matches("") and not page.matches('"x"')
