"""Offline language detection: a script check for Arabic, langdetect for the rest."""

from __future__ import annotations

import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

from service.text import arabic_ratio, has_letters

_SAMPLE_CHARS = 2000
_ARABIC_SHARE = 0.6
_lock = threading.Lock()


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
