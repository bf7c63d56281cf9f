"""Offline language detection: a script check for Arabic, langdetect for the rest."""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

from service.text import arabic_ratio, has_letters

# ISO 639-1: the two-letter codes a client may send (three-letter ISO 639-2/3 codes pass as they are).
_ISO_639_1 = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da"
    " de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz"
    " ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln"
    " lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi"
    " pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti"
    " tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
ISO_639_1 = frozenset(_ISO_639_1.split())
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_SAMPLE_CHARS = 2000
_ARABIC_SHARE = 0.6
_lock = threading.Lock()


def language_code(tag: str) -> str:
    """The language of a client's tag, lower case and without region or script (``ar-SA`` and
    ``ar_sa`` are ``ar``), so that filters and facets agree with detected languages. Raises
    ValueError naming the tag when it is not a language code."""
    match = _TAG.fullmatch(tag.strip())
    code = match.group(1).lower() if match else ""
    if not code or (len(code) == 2 and code not in ISO_639_1):
        raise ValueError(
            f"{tag!r} is not an ISO 639 language code; send e.g. 'ar', 'en' or 'ar-SA', "
            "or leave it out to have the language detected"
        )
    return code


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``; ``und`` when it has no letters or cannot be told.

    Text that is mostly Arabic script is answered without a model (fast path for the
    main use). langdetect is seeded so the same text always gets the same answer.
    """
    sample = text[:_SAMPLE_CHARS]
    if not has_letters(sample):
        return "und"
    if arabic_ratio(sample) >= _ARABIC_SHARE:
        return "ar"
    with _lock:
        DetectorFactory.seed = 0
        try:
            candidates = detect_langs(sample)
        except LangDetectException:
            return "und"
    return candidates[0].lang.split("-")[0] if candidates else "und"
