"""Settings, read from ``STORYLINE_*`` environment variables (nested: ``STORYLINE_DEDUP__...``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DedupSettings(BaseModel):
    """Near-duplicate detection (MinHash LSH over word shingles, verified exactly).

    Defaults were measured on the 450 labelled SaudiNewsNet pairs (see
    ``service.evaluation.duplicates``): word 3-shingles beat 4 and 5; a candidate is a copy
    when, within ``window_days``, its shingle Jaccard reaches ``jaccard_threshold`` or the
    word coverage of the shorter and the longer text reach ``containment_threshold`` and
    ``long_coverage_threshold``, else (from ``align_min_jaccard``) when passage alignment finds
    a trimmed copy (``trimmed_share`` of the shorter's passages and the longer's lead) or an
    edited one (``edited_short_share`` / ``edited_long_share``); farther apart only
    ``distant_jaccard_threshold`` counts, because templated items (weather bulletins, cables,
    executions) recur on other days with Jaccard up to 0.55. Any pair whose headlines name
    different things (headline keys, ``headline_words``) is not a copy. Precision 0.98,
    recall 0.93, F1 0.955 on the pairs (whole corpus streamed: 0.98 / 0.92 / 0.95).
    32 permutations give 16 LSH bands of 2 rows: 88 % of copies at Jaccard 0.35 and 99 % at
    0.5 become candidates (more bands found more roundups than copies), for about 2.1 KB of
    memory per stored article with the compact bucket storage.
    """

    shingle_size: int = Field(3, ge=1, le=12, description="Words per shingle.")
    num_perm: int = Field(32, ge=16, le=1024, description="MinHash permutations (signature length).")
    lsh_threshold: float = Field(
        0.25, gt=0, lt=1, description="Jaccard level the LSH bands are tuned to surface as candidates."
    )
    jaccard_threshold: float = Field(
        0.35, gt=0, le=1, description="Verified shingle Jaccard that makes a copy (within the copy window)."
    )
    containment_threshold: float = Field(
        0.65,
        gt=0,
        le=1,
        description="Share of the shorter text's words inside shared shingles that makes a (trimmed) copy, "
        "together with long_coverage_threshold.",
    )
    long_coverage_threshold: float = Field(
        0.45,
        gt=0,
        le=1,
        description="Share of the longer text's words inside shared shingles a trimmed copy also needs "
        "(keeps a short item quoted inside a long roundup apart).",
    )
    window_days: float = Field(
        2.0, ge=0, description="Copies are published within this many days of each other and of the original."
    )
    group_jaccard: float = Field(
        0.6,
        gt=0,
        le=1,
        description="Jaccard of a near verbatim copy: one such link with any member lets an article join a "
        "group (within window_days) and unite the groups it links.",
    )
    distant_jaccard_threshold: float = Field(
        0.6,
        gt=0,
        le=1,
        description="Jaccard needed beyond window_days (recurring templated items, e.g. weather bulletins).",
    )
    far_skip_risk: float = Field(
        1e-4,
        ge=0,
        lt=1,
        description="Largest chance that a candidate beyond window_days at exactly "
        "distant_jaccard_threshold is skipped unverified because too few MinHash permutations agree "
        "(0 verifies every candidate). Recurring bulletins meet hundreds of far candidates.",
    )
    headline_words: int = Field(16, ge=0, le=64, description="Most headline words kept per article.")
    align_min_jaccard: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Candidates below the shingle rules but at least this Jaccard are checked by passage "
        "alignment (re-edited releases and trimmed copies).",
    )
    passage_words: int = Field(10, ge=3, le=100, description="Words per passage in passage alignment.")
    passage_window: int = Field(
        15,
        ge=3,
        le=200,
        description="Words of the other text a passage may be spread over (edits, reordering).",
    )
    passage_share: float = Field(
        0.55,
        gt=0,
        le=1,
        description="Share of a passage's distinct words that makes it recognised in a window.",
    )
    trimmed_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Recognised share of the shorter text's passages that makes a trimmed copy when the "
        "longer text's lead passage is recognised too.",
    )
    edited_short_share: float = Field(
        0.7, gt=0, le=1, description="Recognised share of the shorter text's passages for an edited copy."
    )
    edited_long_share: float = Field(
        0.5, gt=0, le=1, description="Recognised share of the longer text's passages for an edited copy."
    )
    min_shingles: int = Field(
        8, ge=1, description="Texts with fewer shingles are only checked for exact and URL duplicates."
    )
    check_limit: int = Field(
        10, ge=1, le=100, description="Default number of matches /duplicates/check returns."
    )
    reuse_min_words: int = Field(
        25,
        ge=5,
        description="Words of a checked piece that must recur in a stored article for the check (with "
        "passages) to report it as a source of reused passages; set phrases shared by reports of one "
        "event stay below it.",
    )


class StorySettings(BaseModel):
    """Online story clustering."""

    window_days: float = Field(
        10.0,
        gt=0,
        description="Articles farther apart in time than this are never put in one story by similarity.",
    )
    join_threshold: float = Field(
        0.22, ge=0, le=1, description="Story score needed to join an existing story."
    )
    popular_join_threshold: float = Field(
        0.17,
        ge=0,
        le=1,
        description="Lower score needed to join a story of at least `popular_size` articles: a large "
        "running story is the likely home of a loosely worded piece (a column, a reaction) in its window.",
    )
    popular_size: int = Field(
        50, ge=1, description="Stories of at least this many articles use `popular_join_threshold`."
    )
    merge_threshold: float = Field(
        0.18,
        ge=0,
        le=1,
        description="Score a second story also needs from an article before the two may be merged.",
    )
    semantic_threshold: float = Field(
        0.92,
        ge=0,
        le=1,
        description="Embedding similarity within a story reported as a `semantic` duplicate.",
    )
    neighbours: int = Field(
        50, ge=1, le=1000, description="Nearest articles retrieved from FAISS per article."
    )
    exact_index_max: int = Field(
        200_000,
        ge=0,
        description="Up to this many vectors FAISS searches exactly; beyond it an HNSW index is used.",
    )
    profile_days: int = Field(
        1,
        ge=-1,
        le=60,
        description="Score an article against the story's coverage within this many days of it "
        "(the whole story when it has none that close; -1: always the whole story).",
    )
    article_weight: float = Field(
        0.4, ge=0, description="Weight of the best article similarity in a candidate story's score."
    )
    centroid_weight: float = Field(
        0.6, ge=0, description="Weight of the cosine to the story's profile (summed member TF-IDF vectors)."
    )
    terms_weight: float = Field(
        0.4, ge=0, description="Weight of the share of the article's distinctive words the story also uses."
    )
    time_weight: float = Field(
        0.3,
        ge=0,
        description="Penalty for the time between the article and the story's span: "
        "weight * (gap / window) ** 2.",
    )
    fragment_votes: float = Field(
        0.5,
        ge=0,
        description="Share of a small story's size in votes (its articles scoring as members of a "
        "much larger story) that merges it into that story (0 disables).",
    )
    rehome_margin: float = Field(
        0.2,
        ge=0,
        description="A copy whose own best story scores this much more than its original's "
        "story moves the whole duplicate group there (0 disables).",
    )
    merge_centroid: float = Field(
        0.2, ge=0, le=1, description="Centroid similarity two stories need before an article may merge them."
    )
    lexical_dim: int = Field(
        256, ge=16, le=4096, description="Size of the dense (FAISS) projection of the lexical TF-IDF vector."
    )
    hybrid_lexical_weight: float = Field(
        0.5, ge=0, le=1, description="Share of the lexical similarity in the `hybrid` embedder's score."
    )


class Settings(BaseSettings):
    """Service settings. Every value can be set as ``STORYLINE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="STORYLINE_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(
        Path("./data"), description="Directory holding the SQLite database and FAISS files."
    )
    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `serve` listens on.")
    seeds_dir: Path = Field(PROJECT_ROOT / "seeds", description="Folder of seed articles with seeds.json.")
    load_seeds: bool = Field(False, description="Ingest the seed articles at startup (idempotent).")
    max_batch: int = Field(1000, ge=1, description="Most articles accepted in one POST /ingest.")
    max_request_bytes: int = Field(
        32 * 1024 * 1024, ge=1024, description="Largest request body accepted, in bytes (413 beyond)."
    )
    max_article_chars: int = Field(
        500_000, ge=100, description="Longest title+body accepted for one article, in characters."
    )
    checkpoint_seconds: float = Field(
        60.0, ge=0, description="Least time between saves of the FAISS file and story state during ingest."
    )
    check_priority_ms: float = Field(
        50.0,
        ge=0,
        description="Longest wait, in ms, of ingest per article and of the summary worker per story "
        "while duplicate checks are running (checks answer a waiting editor); 0 turns the priority off.",
    )
    check_workers: int = Field(
        1,
        ge=0,
        description="Worker processes that verify duplicate-check candidates beside the server, on "
        "another core (0: verify in the server's own interpreter).",
    )
    summary_worker: bool = Field(
        True,
        description="Compute story summaries in a worker process beside the server, on another core "
        "(false: in a background thread of the server's own interpreter).",
    )
    embedder: Literal["lexical", "sentence-transformers", "hybrid"] = Field(
        "lexical",
        description="Embedding backend: offline char n-gram TF-IDF, a sentence-transformers model, or both.",
    )
    embedding_model: str | None = Field(
        None,
        description="sentence-transformers model: a directory (e.g. models/<name>) or a model name; "
        "required for the `sentence-transformers` and `hybrid` embedders.",
    )
    embedding_batch_size: int = Field(32, ge=1, description="Texts per sentence-transformers encode call.")
    dedup: DedupSettings = Field(default_factory=DedupSettings, description="Duplicate detection settings.")
    stories: StorySettings = Field(default_factory=StorySettings, description="Story clustering settings.")

    @property
    def database_path(self) -> Path:
        """SQLite database file inside the data directory."""
        return self.data_dir / "storyline.sqlite3"


def environment_variables(
    model: type[BaseModel] = Settings, prefix: str = "STORYLINE_"
) -> list[tuple[str, str, str]]:
    """(variable, default, description) of every setting, nested ones under ``__``, in order."""
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            rows.extend(environment_variables(nested, f"{variable}__"))
        else:
            rows.append((variable, str(field.default), field.description or ""))
    return rows
