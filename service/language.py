"""Offline language detection: a script check for Arabic, langdetect for the rest."""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

from service.text import arabic_ratio, has_letters

# ISO 639-1: the two-letter codes a client may send.
_ISO_639_1 = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da"
    " de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz"
    " ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln"
    " lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi"
    " pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti"
    " tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
ISO_639_1 = frozenset(_ISO_639_1.split())
# Three-letter codes (ISO 639-2/T, 639-2/B, and the 639-3 individual codes feeds use for the
# macrolanguage) of languages that have a two-letter code: stored as that code, so a filter on
# `ar` also finds articles sent as `ara`. Other three-letter codes are kept as sent.
_ISO_639_2 = (
    "ara:ar arb:ar eng:en fra:fr fre:fr deu:de ger:de spa:es por:pt ita:it rus:ru zho:zh chi:zh cmn:zh"
    " jpn:ja kor:ko fas:fa per:fa pes:fa urd:ur hin:hi ben:bn tur:tr heb:he ind:id msa:ms may:ms zsm:ms"
    " nld:nl dut:nl pol:pl ukr:uk ell:el gre:el swe:sv nor:no nob:nb nno:nn dan:da fin:fi ces:cs cze:cs"
    " slk:sk slo:sk hun:hu ron:ro rum:ro bul:bg hrv:hr srp:sr slv:sl bos:bs sqi:sq alb:sq mkd:mk mac:mk"
    " kur:ku pus:ps som:so amh:am swa:sw hau:ha yor:yo tha:th vie:vi tgl:tl uzb:uz kaz:kk aze:az hye:hy"
    " arm:hy kat:ka geo:ka tam:ta tel:te mar:mr guj:gu pan:pa mal:ml kan:kn sin:si nep:ne mya:my bur:my"
    " khm:km lao:lo mon:mn cat:ca eus:eu baq:eu glg:gl gle:ga cym:cy wel:cy isl:is ice:is lit:lt lav:lv"
    " est:et bel:be tat:tt uig:ug afr:af zul:zu xho:xh lat:la mlt:mt ltz:lb tgk:tg tuk:tk kir:ky snd:sd"
    " div:dv"
)
TWO_LETTER = dict(pair.split(":") for pair in _ISO_639_2.split())
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_SAMPLE_CHARS = 2000
_ARABIC_SHARE = 0.6
_lock = threading.Lock()


def language_code(tag: str) -> str:
    """The language of a client's tag, lower case and without region or script (``ar-SA``,
    ``ar_sa`` and ``ara`` are ``ar``), so that filters and facets agree with detected languages. Raises
    ValueError naming the tag when it is not a language code."""
    match = _TAG.fullmatch(tag.strip())
    code = match.group(1).lower() if match else ""
    if not code or (len(code) == 2 and code not in ISO_639_1):
        raise ValueError(
            f"{tag!r} is not an ISO 639 language code; send e.g. 'ar', 'en' or 'ar-SA', "
            "or leave it out to have the language detected"
        )
    return TWO_LETTER.get(code, code)


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
