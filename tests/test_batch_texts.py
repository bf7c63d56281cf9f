"""Bodies for copy verification: the batch being committed in front of the store."""

from __future__ import annotations

from service.config import Settings
from service.pipeline import Pipeline
from service.schemas import ArticleIn


def test_held_bodies_answer_until_released_then_the_store_does(settings: Settings) -> None:
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn(id="a", source="s", body="وصل الوفد إلى موسكو صباح اليوم.")])
        texts = pipeline.texts
        stored = texts.bodies(["a"])["a"]
        assert "موسكو" in stored
        texts.hold("b", "نص لم يحفظ بعد")
        assert texts.pending(["a", "b", "zz"]) == {"b": "نص لم يحفظ بعد"}
        assert texts.bodies(["a", "b", "zz"]) == {"a": stored, "b": "نص لم يحفظ بعد"}
        texts.release()
        assert texts.pending(["b"]) == {}
        assert texts.bodies(["a", "b"]) == {"a": stored}


def test_a_copy_is_verified_against_an_earlier_article_of_its_own_batch(settings: Settings) -> None:
    """The store's readers do not see the batch before it commits: the held body is what matches."""
    wire = "أعلنت الوزارة اليوم عن خطة جديدة لتطوير النقل العام في المدن الكبرى خلال السنوات المقبلة " * 3
    with Pipeline.open(settings) as pipeline:
        results = pipeline.ingest(
            [
                ArticleIn(id="w1", source="s", body=wire),
                ArticleIn(id="w2", source="t", body=wire + " وقال المتحدث إن العمل يبدأ قريبا."),
            ]
        )
        assert results[1].duplicate is not None
        assert (results[1].duplicate.type, results[1].duplicate.of) == ("near", "w1")
        assert pipeline.texts.pending(["w1", "w2"]) == {}  # released with the commit
