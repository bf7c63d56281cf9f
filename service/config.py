"""Settings, read from ``STORYLINE_*`` environment variables (nested: ``STORYLINE_DEDUP__...``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DedupSettings(BaseModel):
    """Near-duplicate detection (MinHash LSH over word shingles, verified exactly)."""

    shingle_size: int = Field(5, ge=1, le=12, description="Words per shingle.")
    num_perm: int = Field(128, ge=16, le=1024, description="MinHash permutations.")
    lsh_threshold: float = Field(
        0.2, gt=0, lt=1, description="Jaccard level the LSH bands are tuned to surface as candidates."
    )
    jaccard_threshold: float = Field(0.5, gt=0, le=1, description="Verified Jaccard that makes a copy.")
    containment_threshold: float = Field(
        0.8, gt=0, le=1, description="Verified containment of the shorter text that makes a (trimmed) copy."
    )
    min_shingles: int = Field(
        8, ge=1, description="Texts with fewer shingles are only checked for exact and URL duplicates."
    )
    check_limit: int = Field(
        10, ge=1, le=100, description="Default number of matches /duplicates/check returns."
    )


class StorySettings(BaseModel):
    """Online story clustering."""

    window_days: float = Field(
        10.0,
        gt=0,
        description="Articles farther apart in time than this are never put in one story by similarity.",
    )
    join_threshold: float = Field(
        0.35, ge=0, le=1, description="Story score needed to join an existing story."
    )
    merge_threshold: float = Field(
        0.6, ge=0, le=1, description="Score to two stories that makes an article merge them."
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
