"""Test helper: writes articles and story changes the way the pipeline does, then tells the views."""

from __future__ import annotations

from service.store import Store
from service.stories import StoryViews
from service.text import normalize


class Newsroom:
    """Writes articles and story changes the way the pipeline does, then tells the views."""

    def __init__(self, store: Store, views: StoryViews) -> None:
        self.store, self.views, self.seq, self.clock = store, views, 0, 0

    def now(self) -> str:
        self.clock += 1
        return f"2024-01-01T{self.clock // 3600:02d}:{self.clock // 60 % 60:02d}:{self.clock % 60:02d}+00:00"

    def add(
        self,
        cluster_id: int,
        source: str = "src",
        phase: str = "core",
        dup_of: str | None = None,
        title: str = "خبر",
        language: str = "ar",
        published_at: str | None = None,
        notify: bool = True,
    ) -> str:
        """Store one article of ``cluster_id``; ``notify=False`` leaves the views unaware (as if
        they were busy) until a later add tells them."""
        self.seq += 1
        aid, now = f"a{self.seq}", self.now()
        with self.store.transaction() as tx:
            tx.insert_article(
                {
                    "id": aid,
                    "source": source,
                    "title": title,
                    "body": f"{title} نص الخبر رقم {self.seq}.",
                    "language": language,
                    "published_at": published_at or now,
                    "published_ts": float(self.seq),
                    "received_at": now,
                    "content_hash": aid,
                    "title_norm": normalize(title),
                    "body_norm": normalize(title),
                    "cluster_id": cluster_id,
                    "phase": phase,
                    "dup_of": dup_of,
                    "dup_type": "near" if dup_of else None,
                    "dup_score": 0.9 if dup_of else None,
                }
            )
            tx.touch_cluster(cluster_id, now)
        if notify:
            self.views.on_commit({cluster_id})
        return aid

    def merge(self, absorbed: int, survivor: int) -> None:
        with self.store.transaction() as tx:
            tx.merge_clusters(absorbed, survivor, self.now(), None)
        self.views.on_commit({absorbed, survivor})
