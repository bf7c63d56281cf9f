"""Distinctive keywords of a story, shown in their original spelling.

Terms are grouped on a light Arabic stem (the matching form without the definite
article and its attached particles), scored as term frequency within the story times
how many of its articles use the term times a background IDF, and shown as the most
frequent surface spelling of the group. The background model is ``wordfreq`` (large
Arabic and English corpora, read through :mod:`service.background_freq`), optionally
blended with document frequencies of the stored corpus, so words common in all news
("said", "Tuesday") sink and names rise.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import stopwordsiso

from service.background_freq import BackgroundFrequencies
from service.text import arabic_ratio, normalize, without_invisible

# A word with its diacritics and tatweel kept, so the surface form is the stored spelling.
_TOKEN = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+")
_HAS_DIGIT = re.compile(r"\d")
# Definite article and particles fused with it, longest first (matching form: alef folded).
_AR_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
# Generic news vocabulary that stopword lists miss: days, reporting verbs, time words.
_NEWS_WORDS = (
    "السبت الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس"
    " سبتمبر اكتوبر نوفمبر ديسمبر اضاف اضافت وفق وفقا اكدت قالت ذكرت اشار اشارت اوضح اوضحت اعلن اعلنت"
    " صحيفه وكاله الانباء مصدر مصادر خبر اخبار تقرير يذكر الماضي المقبل الجاري صباح مساء ساعه ساعات"
    " ايام اسبوع شهر سنه العام مليون مليار الف نحو اطار اجل ضمن عدد عده تم يتم وقد فيما كذلك ايضا"
    " said says told monday tuesday wednesday thursday friday saturday sunday news report reported"
)
MIN_LENGTH = 3
MAX_BACKGROUND_IDF = 7.0  # words unknown to the background count as rare, but not unboundedly
MIN_CORPUS_DOCS = 200  # below this the stored corpus says too little; wordfreq alone is used


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Arabic and English stopwords (stopwords-iso) plus news words, in matching form."""
    raw = set(stopwordsiso.stopwords("ar")) | set(stopwordsiso.stopwords("en")) | set(_NEWS_WORDS.split())
    return frozenset(n for n in (normalize(w) for w in raw) if n)


def group_key(norm: str) -> str:
    """Light stem of a matching-form word: the Arabic article and fused particles removed."""
    for prefix in _AR_PREFIXES:
        if norm.startswith(prefix) and len(norm) - len(prefix) >= MIN_LENGTH:
            return norm[len(prefix) :]
    return norm


def is_stopword(norm: str) -> bool:
    """True for stopwords, also when a one-letter particle (و ف ب ل) is fused in front."""
    stop = stopwords()
    if norm in stop or group_key(norm) in stop:
        return True
    return len(norm) > MIN_LENGTH and norm[0] in "وفبل" and norm[1:] in stop


@lru_cache(maxsize=50_000)  # pure, and called for every token of every summary (most of its time)
def term_of(surface: str) -> tuple[str, str] | None:
    """(matching form, group key) of a surface token, or None when it cannot be a keyword."""
    norm = normalize(surface)
    if not norm or " " in norm or _HAS_DIGIT.search(norm) or len(norm) < MIN_LENGTH:
        return None
    key = group_key(norm)
    if len(key) < MIN_LENGTH or is_stopword(norm):
        return None
    return norm, key


def surface_tokens(text: str) -> list[str]:
    """Word tokens of a stored text, diacritics kept."""
    return _TOKEN.findall(without_invisible(text))


_BACKGROUND = BackgroundFrequencies()  # tables built on first use, like the cache below


# The most used words only: a miss costs about 4 us (compact table, plain words skip the
# tokenizer), while 200k cached surfaces held about 45 MB.
@lru_cache(maxsize=20_000)
def background_idf(surface: str) -> float:
    """IDF-like weight of a word from wordfreq: log10 of one over its frequency, capped."""
    lang = "ar" if arabic_ratio(surface) > 0.5 else "en"
    zipf = _BACKGROUND.zipf(surface, lang)
    return MAX_BACKGROUND_IDF if zipf <= 0 else min(MAX_BACKGROUND_IDF, max(0.0, 9.0 - zipf))


@dataclass
class CorpusFrequencies:
    """Document frequencies of group keys over stored articles (optional second background).

    Counted into a ``Counter`` while the sample grows; :meth:`freeze` then gives a copy that
    keeps only a sorted array of 64-bit key hashes and their counts: 12 bytes a key instead of
    about 100 (a sample of 20,000 Arabic articles holds about 160,000 keys).
    """

    docs: int = 0
    df: Counter[str] = field(default_factory=Counter)
    frozen: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False)  # hashes, counts

    def add(self, text_norm: str) -> None:
        if self.frozen is not None:
            raise ValueError("a frozen corpus sample takes no more documents")
        keys = {group_key(w) for w in text_norm.split() if len(w) >= MIN_LENGTH}
        self.df.update(keys)
        self.docs += 1

    def freeze(self) -> CorpusFrequencies:
        """A compact, read-only copy of the counts (for a complete sample). A new object, so a
        reader of this one never sees it half converted."""
        if self.frozen is not None:
            return self
        hashes = np.fromiter(map(_key_hash, self.df), np.int64, len(self.df))
        order = np.argsort(hashes)
        counts = np.fromiter(self.df.values(), np.int32, len(self.df))[order]
        hashes = hashes[order]
        for array in (hashes, counts):
            array.setflags(write=False)
        return CorpusFrequencies(self.docs, Counter(), (hashes, counts))

    def count(self, key: str) -> int:
        """Documents of the sample with the key."""
        if self.frozen is None:
            return self.df.get(key, 0)
        hashes, counts = self.frozen
        wanted = _key_hash(key)
        at = int(hashes.searchsorted(np.int64(wanted)))
        return int(counts[at]) if at < len(hashes) and hashes[at] == wanted else 0

    def idf(self, key: str) -> float | None:
        """IDF over the corpus on the background's scale (0..MAX), or None while too few documents."""
        if self.docs < MIN_CORPUS_DOCS:
            return None
        ratio = math.log((self.docs + 1) / (self.count(key) + 1)) / math.log(self.docs + 1)
        return MAX_BACKGROUND_IDF * ratio


def _key_hash(key: str) -> int:
    """A 64-bit hash of a key, the same in every process (frozen samples cross processes)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)


@dataclass
class _Group:
    tf: int = 0
    docs: set[int] = field(default_factory=set)
    surfaces: Counter[str] = field(default_factory=Counter)


def keywords(
    texts: Iterable[str], limit: int = 10, least: int = 5, corpus: CorpusFrequencies | None = None
) -> list[str]:
    """Distinctive terms of a story's texts (one per article), most distinctive first."""
    groups: dict[str, _Group] = defaultdict(_Group)
    count = 0
    for index, text in enumerate(texts):
        count += 1
        # Each distinct surface of a text once, with its count (first-seen order is kept, so
        # the groups and their spellings come out exactly as token by token).
        for surface, seen in Counter(surface_tokens(text)).items():
            term = term_of(surface)
            if term is None:
                continue
            group = groups[term[1]]
            group.tf += seen
            group.docs.add(index)
            group.surfaces[surface] += seen
    _merge_particles(groups)
    _merge_suffixes(groups)
    if not groups:
        return []
    total = sum(g.tf for g in groups.values())
    min_tf = 2 if total > 150 else 1
    scored = [(key, _score(key, g, count, corpus)) for key, g in groups.items() if g.tf >= min_tf]
    scored.sort(key=lambda item: (-item[1], item[0]))
    if not scored:
        return []
    top = scored[0][1]
    chosen = [k for i, (k, s) in enumerate(scored[:limit]) if i < least or s >= 0.25 * top]
    return [display_form(groups[k].surfaces, k) for k in chosen]


def _merge_particles(groups: dict[str, _Group]) -> None:
    """Fold a word with a fused one-letter particle (لكوريا, وقوات) into the bare word when the
    story uses the bare word at least as often, unless the word is also written after the article;
    never fold a word that took others in.

    Most words that start with و ف ب ل are not particle forms: الولايات (key ولايات) is not و +
    لايات, البلدية not ب + لديه, وزارة not و + زاره, اللجنة not ل + الجنة. Their "bare" words are
    other words, which then named the group (آيات via ولايات → لايات → ايات). A particle comes
    before the article (والقوات), so a spelling with the article in front (الولايات) proves the
    letter is the word's own; without one, a real particle form is the rarer of the two."""
    uses = {key: group.tf for key, group in groups.items()}  # before any fold
    took_in: set[str] = set()
    for key in sorted(groups, key=len, reverse=True):
        base = key[1:]
        if key[0] not in "وفبل" or len(base) < MIN_LENGTH or base not in groups or key in took_in:
            continue
        if uses[base] >= uses[key] and not _has_article_form(groups[key], key):
            _fold(groups, key, base)
            took_in.add(base)


def _has_article_form(group: _Group, key: str) -> bool:
    """Whether one of the group's spellings is the article followed by the whole key."""
    definite = f"ال{key}"
    return any(normalize(surface) == definite for surface in group.surfaces)


# Endings of one Arabic lemma that are folded together (longest first): the relative adjective
# and its masculine plurals (فلسطيني, فلسطينيين, فلسطينيون) and the sound masculine plural's two
# cases (مواطنون, مواطنين). Not the feminine ية / يات: they are also nouns of their own
# (الجمهورية / الجمهوري, الجنسية / الجنسي, الرياضيات / الرياضي).
_NISBA_ENDINGS = ("يين", "يون", "ي")
_PLURAL_ENDINGS = ("ون", "ين")


def suffix_family(key: str) -> str | None:
    """The lemma a group key is an ending variant of (فلسطينيين -> فلسطيني, مواطنون -> مواطنين),
    None for a key with neither ending or with a stem shorter than MIN_LENGTH.

    The bare noun is not in the family (فلسطين stays apart from فلسطيني): اجتماع / اجتماعي
    (meeting, social) and مركز / المركزي (centre, central) are different words. Nor are nouns in
    اية / ايات, which are no adjectives (الولايات, the US, and الولاية, a province), nor ات with ة,
    nor ون / ين after a short stem (عيون, eyes, and عين)."""
    for ending in _NISBA_ENDINGS:
        stem = key[: -len(ending)]
        if key.endswith(ending) and len(stem) >= MIN_LENGTH and not stem.endswith("ا"):
            return stem + "ي"
    for ending in _PLURAL_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= MIN_LENGTH:
            return key[: -len(ending)] + "ين"
    return None


def _merge_suffixes(groups: dict[str, _Group]) -> None:
    """Fold the ending variants of one lemma (:func:`suffix_family`) into its most used one, so a
    story's keywords do not name الفلسطيني, الفلسطينية and الفلسطينيين side by side."""
    families: dict[str, list[str]] = defaultdict(list)
    for key in groups:
        family = suffix_family(key)
        if family is not None:
            families[family].append(key)
    for keys in families.values():
        if len(keys) < 2:
            continue
        keys.sort(key=lambda k: (-groups[k].tf, k))
        for key in keys[1:]:
            _fold(groups, key, keys[0])


def _fold(groups: dict[str, _Group], key: str, into: str) -> None:
    """Move the group ``key`` into the group ``into``."""
    group, target = groups.pop(key), groups[into]
    target.tf += group.tf
    target.docs |= group.docs
    target.surfaces.update(group.surfaces)


def _score(key: str, group: _Group, articles: int, corpus: CorpusFrequencies | None) -> float:
    surface_idf = max(background_idf(s) for s in group.surfaces)
    local = corpus.idf(key) if corpus is not None else None
    idf = surface_idf if local is None else 0.5 * surface_idf + 0.5 * local
    coverage = len(group.docs) / articles
    return (1.0 + math.log(group.tf)) * (0.5 + coverage) * idf


def display_form(surfaces: Mapping[str, int], key: str | None = None) -> str:
    """The most frequent original spelling (ties: the shorter, then alphabetical).

    With the group ``key``, spellings that are the bare word or the word with the article
    (قوات, القوات) win over ones with a fused particle (وقوات) whenever there are any.
    """
    plain = [s for s in surfaces if key is None or normalize(s) in (key, f"ال{key}")] or list(surfaces)
    return min(plain, key=lambda s: (-surfaces[s], len(s), s))
