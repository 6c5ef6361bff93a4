"""One ``Settings`` object (env prefix ``SENDQA_``) passed into constructors.

Nothing deeper reads environment variables, so tests can build settings explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_corpus_dir() -> Path:
    """The shared corpus mirror beside the checkout, when present."""
    return PROJECT_ROOT.parent / "shared" / "corpus"


class Settings(BaseSettings):
    """Every knob of sendqa; each is documented (a test checks the README lists them)."""

    model_config = SettingsConfigDict(env_prefix="SENDQA_", extra="ignore")

    # Paths
    corpus_dir: Path = Field(
        default_factory=default_corpus_dir,
        description="Folder holding the corpus files (a mirror of the official documents).",
    )
    index_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "index",
        description="Folder of the built index (Chroma + BM25 + manifest).",
    )
    manifest_path: Path = Field(
        default=PROJECT_ROOT / "corpus" / "sources.toml",
        description="Source manifest listing every document, its URL and licence.",
    )

    # Embedding
    notes_dir: Path = Field(
        default=PROJECT_ROOT / "corpus" / "notes",
        description="Folder of the provision notes (one JSONL file per document).",
    )
    embed_batch_size: int = Field(default=32, description="Passages per embedding batch.")
    embed_threads: int = Field(
        default=1, description="torch threads for queries (1 is steadier on 2 cores)."
    )

    # Retrieval
    top_k: int = Field(default=8, description="Passages returned by retrieval.")
    candidate_k: int = Field(
        default=40, description="Candidates from each retriever before fusion."
    )
    rrf_k: int = Field(default=60, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(default=0.7, description="Weight of the dense list in fusion.")
    lexical_weight: float = Field(default=1.0, description="Weight of the BM25 list in fusion.")
    number_bonus: float = Field(
        default=0.03,
        description="Fusion bonus for passages stating a time limit the question names.",
    )
    deadline_bonus: float = Field(
        default=0.005,
        description="Fusion bonus for passages that set a time limit when the question asks one.",
    )
    experience_prior: float = Field(
        default=0.6, description="Score factor for reports and testimony unless asked about them."
    )
    guidance_prior: float = Field(
        default=0.85, description="Score factor for non-statutory guidance against law."
    )
    scope_margin: float = Field(
        default=0.02,
        description="How much closer a question must be to an out-of-scope topic "
        "(rag/data/out_of_scope.jsonl) than to the provision notes for sendqa to say the "
        "sources do not cover it.",
    )
    abstain_threshold: float = Field(
        default=0.45,
        description="Best dense similarity below which the sources are judged not to answer.",
    )

    abstain_threshold_in_scope: float = Field(
        default=0.35,
        description="The same threshold for a question in the SEND system's own words (EHCP, "
        "tribunal): known gaps are caught by name, so these need less similarity.",
    )

    # Chroma
    crisis_margin: float = Field(
        default=-0.06,
        description="How much closer a sentence must be to the reviewed risk statements than to "
        "the safe ones (idioms, ordinary worries) to show crisis signposting; lower catches more.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="Chroma server URL (http://host:port) instead of the local persistent index.",
    )

    # Optional LLM
    llm_provider: Literal["none", "openai", "ollama"] = Field(
        default="none", description="Chat model backend; 'none' composes extractive answers."
    )
    llm_base_url: str = Field(
        default="http://127.0.0.1:8080/v1", description="Base URL of the chat model server."
    )
    llm_model: str = Field(default="local", description="Model name sent to the server.")
    llm_api_key: str = Field(default="not-needed", description="API key, if the server wants one.")
    llm_timeout_s: float = Field(default=60.0, description="Seconds before falling back.")

    # App
    host: str = Field(default="127.0.0.1", description="Address the app binds to.")
    port: int = Field(default=7860, description="Port the app listens on.")
    auth_username: str | None = Field(default=None, description="Login name, enables login.")
    auth_password: str | None = Field(default=None, description="Login password.")
    feedback_db: Path = Field(
        default=PROJECT_ROOT / "var" / "feedback.sqlite3",
        description="SQLite file storing thumbs up/down feedback.",
    )
    store_question_text: bool = Field(
        default=False,
        description="Keep (redacted) question text with feedback; off protects children's data.",
    )
    concurrency_limit: int = Field(
        default=2,
        description="Answers computed at once (one limit for chat, /ask and letters). Without an "
        "LLM an answer is ~0.1 s of CPU, so more than the cores adds no throughput.",
    )
    queue_max_size: int | None = Field(
        default=64,
        description="Requests waiting before new ones are told the app is busy (None: no limit).",
    )
