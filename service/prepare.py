"""Preparation of an incoming article: normalized forms, id, language, content hash."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from service.article_ids import derived_id
from service.documents import PreparedArticle
from service.language import detect_language
from service.schemas import ArticleIn
from service.text import matching_form, normalize
from service.urls import canonical_url


def iso_utc(moment: datetime) -> str:
    """ISO 8601 text of a moment in UTC, as stored."""
    return moment.astimezone(UTC).isoformat()


def prepare(article: ArticleIn, received_at: datetime) -> PreparedArticle:
    """Normalize one validated article and derive its id, language and hashes."""
    title_norm = normalize(article.title) if article.title else ""
    body_norm = matching_form(article.body)
    canonical = canonical_url(article.url)
    content_hash = hashlib.sha256(f"{title_norm}\n{body_norm}".encode()).hexdigest()
    article_id = article.id or derived_id(canonical, content_hash)
    language = article.language or detect_language(f"{article.title or ''}\n{article.body}")
    return PreparedArticle(
        id=article_id,
        source=article.source,
        body=article.body,
        title=article.title,
        url=article.url,
        canonical_url=canonical,
        language=language.lower(),
        published_at=article.published_at or received_at,
        received_at=received_at,
        title_norm=title_norm,
        body_norm=body_norm,
        content_hash=content_hash,
        id_given=bool(article.id),
    )
