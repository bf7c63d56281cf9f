"""Duplicate detection: exact copies, re-posted URLs and near-duplicates (MinHash LSH).

Near-duplicate candidates come from :class:`service.near_index.NearDuplicateIndex` (MinHash
LSH over word shingles of the normalized body, verified on the real texts read through the
``BodyLookup``); besides the lookups of exact copies and URLs, only each signature's headline
keys are kept here. Copies form groups whose original is the earliest published member.

Grouping is guarded against chaining (plain transitive union cut precision on the labelled
pairs from 0.97 to 0.91 over the whole corpus): a new article joins a group only when it
copies the group's original or, within the copy window of the original, a majority of its
members or one of them near verbatim. It unites two groups only as their common source,
when the two originals are verified copies, or when it is a near verbatim copy of a member of
each, so a later roundup quoting two unrelated wire texts joins at most one of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from service import shingles as sh
from service.alignment import Copy
from service.config import DedupSettings
from service.documents import DuplicateMatch, DuplicateType, PreparedArticle
from service.dupgroups import Changes, DuplicateGroups
from service.duplicate_check import DuplicateCheck
from service.duplicate_entries import EXACT, Entry, key_of, typed
from service.lsh_params import LeanMinHash
from service.near_index import NearDuplicateIndex, Other, Prepared, min_agreement
from service.stages import BodyLookup, DedupDecision, DedupRecord, DuplicateEdge

_DAY = 86400.0


class DuplicateDetector:
    """The duplicate stage (:class:`service.stages.DuplicateStage`): exact, URL and near copies."""

    def __init__(self, settings: DedupSettings, bodies: BodyLookup) -> None:
        self.settings = settings
        self.near = NearDuplicateIndex(settings, bodies)
        self._entries: dict[str, Entry] = {}
        self._by_content: dict[int, str] = {}
        self._by_url: dict[int, str] = {}
        self._groups = DuplicateGroups(self._order)
        self._seq = 0
        self._cache: tuple[tuple[str, str, str], Prepared] | None = None
        self._url_agreement = max(1, self.near.permutations // 8)
        self._far_agreement = min_agreement(
            self.near.permutations, settings.distant_jaccard_threshold, settings.far_skip_risk
        )

    def _order(self, article_id: str) -> tuple[float, int]:
        entry = self._entries[article_id]
        return entry.timestamp, entry.seq

    def __len__(self) -> int:
        return len(self._entries)

    def _prepare(self, doc: PreparedArticle, remember: bool = True) -> Prepared:
        """Profile, MinHash and headline keys of ``doc`` (the last ones are kept for ``add``)."""
        cache = self._cache
        if cache is not None and cache[0] == (doc.id, doc.body_norm, doc.title_norm):
            return cache[1]
        prepared = self.near.prepare(doc.body_norm, doc.title_norm)
        if remember:
            self._cache = ((doc.id, doc.body_norm, doc.title_norm), prepared)
        return prepared

    def signature(self, doc: PreparedArticle) -> bytes | None:
        """MinHash signature and headline keys to persist (None for texts too short to near match)."""
        _, sketch, headline = self._prepare(doc)
        return None if sketch is None else sh.encode_signature(sketch, headline)

    def _exact(self, doc: PreparedArticle) -> tuple[str | None, str | None]:
        """Stored article with the same content hash, and one with the same canonical URL."""
        content = self._by_content.get(key_of(doc.content_hash)) if doc.body_norm else None
        url = self._by_url.get(key_of(doc.canonical_url)) if doc.canonical_url else None
        return (content if content != doc.id else None), (url if url != doc.id else None)

    def _others(self, doc: PreparedArticle, sketch: LeanMinHash | None) -> dict[str, Other]:
        """Near candidates of ``doc`` (LSH hits and their groups' originals) with their gaps."""
        if sketch is None:
            return {}
        ids = {i for i in self.near.candidates(sketch) if i in self._entries}
        ids = {*ids, *(self._groups.original(i) for i in ids)} - {doc.id}
        others = {i: self._gap(doc.timestamp, i) for i in ids}
        far = [i for i, (gap, _) in others.items() if gap > self.settings.window_days]
        if far and self._far_agreement:
            for i, agreeing in self.near.agreement(sketch, far).items():
                if agreeing < self._far_agreement:
                    del others[i]  # beyond the window only Jaccard >= distant_jaccard_threshold counts
        return others

    def _near(self, doc: PreparedArticle) -> dict[str, Copy]:
        """Verified near copies of ``doc`` among the LSH candidates and their groups' originals."""
        text, sketch, headline = self._prepare(doc)
        others = self._others(doc, sketch)
        return self.near.copies(text, headline, others) if others else {}

    def check(self, doc: PreparedArticle, limit: int) -> list[DuplicateMatch]:
        """Stored articles ``doc`` duplicates, best first; nothing is stored or changed."""
        return self.plan_check(doc).matches(limit)

    def sketch(self, doc: PreparedArticle) -> Prepared:
        """Profile, MinHash and headline keys of ``doc``: pure computation, no lock needed."""
        return self.near.prepare(doc.body_norm, doc.title_norm)

    def plan_check(self, doc: PreparedArticle, sketched: Prepared | None = None) -> DuplicateCheck:
        """The part of :meth:`check` that reads the detector's state (callers hold the state lock):
        exact and URL matches and the near candidates to verify. ``sketched`` (from :meth:`sketch`,
        computed before taking the lock) keeps the hashing out of the locked part. Verifying the
        candidates (:meth:`DuplicateCheck.matches`) reads only stored texts, so it needs no lock."""
        content, url = self._exact(doc)
        text, sketch, headline = sketched or self._prepare(doc, remember=False)
        if url and not content and not self._shares_text(sketch, url):
            url = None  # as ingest decides: a stored address with another text is no copy
        exact = {i: DuplicateMatch(t, i, 1.0) for t, i in zip(EXACT, (url, content), strict=True) if i}
        others = self._others(doc, sketch)
        if content:  # every stored article with the same text is an exact copy, not only the first
            key = key_of(doc.content_hash)
            for i in [i for i in others if self._entries[i].content == key]:
                exact[i] = DuplicateMatch("exact", i, 1.0)
                del others[i]
        return DuplicateCheck(self.near, exact, text, headline, others)

    def status(self, article_id: str) -> DuplicateMatch | None:
        return self._labelled(article_id, self._groups.status(article_id))

    def _labelled(self, article_id: str, match: DuplicateMatch | None) -> DuplicateMatch | None:
        """The status typed against the group's original (see :func:`service.duplicate_entries.typed`)."""
        if match is None:
            return None
        return typed(match, self._entries.get(article_id), self._entries.get(match.of))

    def links(self, ids: Iterable[str]) -> Changes:
        """The links the groups keep for these articles (how each was tied in, to the current
        original), untyped: what the edge columns persist, so a restart rebuilds the same groups
        and :meth:`status` types them as before."""
        return {i: self._groups.status(i) for i in ids}

    def _relabelled(self, changes: Changes) -> Changes:
        return {i: self._labelled(i, m) for i, m in changes.items()}

    def group(self, article_id: str) -> list[str]:
        return self._groups.members(article_id)

    def group_sizes(self) -> list[int]:
        """Sizes of all duplicate groups, largest first (for sanity reports)."""
        return self._groups.sizes()

    def add(self, doc: PreparedArticle, signature: bytes | None) -> DedupDecision:
        """Store a new article and place it in a duplicate group if it copies one."""
        if doc.id in self._entries:
            raise ValueError(f"article {doc.id!r} is already stored; remove it first")
        content, url = self._exact(doc)
        self._seq += 1
        entry = Entry(doc.timestamp, self._seq, None, None)
        self._entries[doc.id] = entry
        if doc.body_norm:
            entry.content = key_of(doc.content_hash)
            self._by_content.setdefault(entry.content, doc.id)
        if doc.canonical_url:
            entry.url = key_of(doc.canonical_url)
            self._by_url.setdefault(entry.url, doc.id)
        if signature is None:
            _, sketch, headline = self._prepare(doc)
            entry.headline = headline.tobytes()
        else:
            minhash, entry.headline = sh.split_signature(signature, self.settings.num_perm)
            sketch = sh.decode_signature(minhash)
        if url and not content and not self._shares_text(sketch, url):
            url = None  # one address for different texts (a feed's home or section page): not a copy
        if content or url:
            decision = self._link(doc.id, content or url or "", "exact" if content else "url", 1.0)
        else:
            decision = self._place_near(doc)
        if sketch is not None:
            self.near.insert(doc.id, sketch)
        self._cache = None
        decision.changed = self._relabelled(decision.changed)
        return decision

    def _shares_text(self, sketch: LeanMinHash | None, other: str) -> bool:
        """Whether a text shares content with a stored article: at least an eighth of their MinHash
        permutations agree (4 of 32: 99% at Jaccard 0.3, 7% at 0.05). True when either has no sketch."""
        agreeing = self.near.agreement(sketch, [other]) if sketch is not None else {}
        return not agreeing or agreeing[other] >= self._url_agreement

    def _link(self, article_id: str, other: str, kind: DuplicateType, score: float) -> DedupDecision:
        """Join ``other``'s group; the edge points at that group's original, so the persisted
        edges form stars that survive the deletion of any non-original member."""
        edge = DuplicateEdge(article_id, self._groups.original(other), kind, score)
        return DedupDecision(edge, self._groups.join(article_id, other, kind, score))

    def _place_near(self, doc: PreparedArticle) -> DedupDecision:
        """Join the group ``doc`` copies best: one whose original it copies, else (within the copy
        window) one it copies a majority of, or a near verbatim member of. Other groups are united
        with it only when ``doc`` is their common source, their originals are copies, or ``doc`` is
        a near verbatim copy of a member of each (so a roundup never glues two texts together)."""
        found = self._near(doc)
        by_group: dict[str, list[str]] = {}
        for i in found:
            by_group.setdefault(self._groups.original(i), []).append(i)
        qualified: list[tuple[tuple[bool, float, bool, float], str]] = []
        for original, hits in by_group.items():
            share = len(hits) / len(self._groups.members(original))
            within = self._gap(doc.timestamp, original)[0] <= self.settings.window_days
            strong = any(found[h].strong for h in hits)
            if original in found or (within and (2 * share >= 1 or strong)):
                lead, score = max(found[h][:2] for h in hits)
                qualified.append(((original in found, share, lead, score), original))
        if not qualified:
            return DedupDecision(None, {doc.id: None})
        qualified.sort(reverse=True)
        best = qualified[0][1]
        anchor = best if best in found else max(by_group[best], key=lambda h: found[h][:2])
        decision = self._link(doc.id, anchor, "near", found[anchor].score)
        strong = any(found[h].strong for h in by_group[best])
        for (copied, *_, score), original in qualified[1:]:
            common = copied and (self._order(doc.id) <= self._order(original) or self._copies(best, original))
            if common or (strong and any(found[h].strong for h in by_group[original])):
                decision.changed.update(self._groups.merge(doc.id, original, "near", score))
        return decision

    def _copies(self, first: str, second: str) -> bool:
        """Whether two stored articles are verified copies of each other."""
        text, gap = self.near.text(first), self._gap(self._entries[first].timestamp, second)
        headline = sh.decode_headline(self._entries[first].headline)
        return text is not None and second in self.near.copies(text, headline, {second: gap})

    def _gap(self, timestamp: float, article_id: str) -> Other:
        """Days between ``timestamp`` and a stored article, with that article's headline keys."""
        entry = self._entries[article_id]
        return abs(timestamp - entry.timestamp) / _DAY, sh.decode_headline(entry.headline)

    def remove(self, article_id: str) -> Changes:
        """Forget a deleted article; returns the new status of every article that changed."""
        entry = self._entries.get(article_id)
        if entry is None:
            return {}
        group = self._groups.members(article_id)
        for key, owners in ((entry.content, self._by_content), (entry.url, self._by_url)):
            if key is not None and owners.get(key) == article_id:
                heir = next((m for m in group if m != article_id and key in self._entries[m].lookups()), None)
                if heir is None:
                    del owners[key]
                else:
                    owners[key] = heir
        self.near.remove(article_id)
        changes = self._relabelled(self._groups.remove(article_id))
        del self._entries[article_id]
        return changes

    def load(self, records: Iterable[DedupRecord]) -> None:
        """Rebuild everything from stored records (signatures are not recomputed)."""
        self._entries, self._by_content, self._by_url, self._seq = {}, {}, {}, 0
        edges: list[DuplicateEdge] = []
        indexed: list[str] = []
        signatures: list[bytes] = []
        with sh.paused_gc():
            for record in records:
                self._seq += 1
                content = key_of(record.content_hash) if record.content_hash else None
                url = key_of(record.canonical_url) if record.canonical_url else None
                entry = self._entries[record.id] = Entry(record.timestamp, self._seq, content, url)
                if content is not None:
                    self._by_content.setdefault(content, record.id)
                if url is not None:
                    self._by_url.setdefault(url, record.id)
                if record.signature:
                    indexed.append(record.id)
                    minhash, entry.headline = sh.split_signature(record.signature, self.settings.num_perm)
                    signatures.append(minhash)
                if record.edge is not None:
                    edges.append(record.edge)
            self.near.load(indexed, signatures)
            self._groups.load(self._entries, edges)
        self._cache = None
