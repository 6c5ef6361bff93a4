"""The one entry point that turns a question into an ``Answer``.

Order matters: safety first (crisis signposting before any law), then scope, retrieval,
abstention, and the extractive answer; the optional LLM only rewrites from the same passages.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from rag import safety
from rag.compose import compose_extractive_answer, idf_from
from rag.crisis import CrisisDetector
from rag.embedding import Embedder, load_embedder
from rag.errors import GenerationError, UserInputError
from rag.index import Index, current_build, open_index
from rag.query import MAX_QUESTION_CHARS, bare_provision_number, normalise_question
from rag.retrieve import HybridRetriever, Retrieval
from rag.schema import Answer, Citation, Hit, resolve_kinds
from rag.scope import OutOfScopeTopic, ScopeChecker
from rag.settings import Settings

log = logging.getLogger("sendqa")

ABSTAIN_TEXT = (
    "I couldn't find this in the SEND law and guidance I hold, so I won't guess. "
    "The sources I hold cover the Children and Families Act 2014 Part 3, the SEND Regulations "
    "2014, parts of the SEND Code of Practice and related guidance for England."
)
EMPTY_TEXT = "Please type a question about special educational needs and disabilities (SEND)."
TRUNCATED_NOTE = (
    "Your question was {n:,} characters long, so only its first {limit:,} characters were read."
)


class Generator(Protocol):
    """An optional LLM step: rewrites an answer from the numbered passages it is shown."""

    def generate(
        self, question: str, citations: Sequence[Citation], draft: str
    ) -> tuple[str, tuple[Citation, ...]]: ...


def follow_up_question(question: str, history: Sequence[str]) -> str:
    """Make a short follow-up ('and what if they miss it?') self-contained with the last turn."""
    if not history:
        return question
    words = question.split()
    starts = ("and", "but", "what if", "so", "then", "also", "what about", "how about", "if")
    pronoun = any(w.lower().strip("?,.") in {"it", "they", "that", "this", "them"} for w in words)
    if len(words) <= 10 and (question.lower().startswith(starts) or pronoun):
        return f"{history[-1]} {question}"
    return question


class SendQA:
    """Answers questions from one index; reloads it when a new build is swapped in."""

    def __init__(
        self,
        settings: Settings,
        index: Index | None = None,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or load_embedder(settings.embed_threads)
        self._lock = threading.Lock()
        self._index = index or open_index(settings.index_dir, settings.chroma_url)
        self._retriever = HybridRetriever(self._index, self.embedder, settings)
        self._idf = idf_from(list(self._index.passages.values()))
        self.generator = generator
        self.crisis, self.scope = self._checks(self._index)

    def _checks(self, index: Index) -> tuple[CrisisDetector, ScopeChecker]:
        """The crisis and scope checks over one index's provision-note windows, read once.

        For the crisis check the notes' situations are ordinary worries; for the scope check
        they are what the corpus holds.
        """
        notes = index.store.window_vectors("note")
        crisis = CrisisDetector(
            self.embedder, self.settings.crisis_margin, ordinary=notes, cache_dir=self._bank_cache
        )
        return crisis, ScopeChecker(self.embedder, notes, cache_dir=self._bank_cache)

    @property
    def _bank_cache(self) -> Path:
        """Where the banks' vectors are kept between starts: beside the builds of the index."""
        return self.settings.index_dir / "bank-vectors"

    @property
    def retriever(self) -> HybridRetriever:
        self._maybe_reload()
        return self._retriever

    def _maybe_reload(self) -> None:
        """Pick up a new build after 'sendqa ingest' swapped it in (cheap: one readlink)."""
        build = current_build(self.settings.index_dir)
        if build is None or build == self._index.build:
            return
        with self._lock:
            if build == self._index.build:
                return
            index = open_index(self.settings.index_dir, self.settings.chroma_url)
            self._retriever = HybridRetriever(index, self.embedder, self.settings)
            self._idf = idf_from(list(index.passages.values()))
            self.crisis, self.scope = self._checks(index)
            self._index = index

    def ask(
        self,
        question: str,
        kinds: Sequence[str] | None = None,
        history: Sequence[str] = (),
        use_llm: bool = True,
    ) -> Answer:
        """Answer one question; never raises for bad input.

        Input that cannot be used (an unknown name in ``kinds``) is answered with a message
        saying what to use instead, after any crisis signposting.

        Raises IndexMissingError for a broken index and RetrievalError while the passage store
        (a Chroma server) cannot be reached; the next call tries again, so nothing restarts.
        """
        request_id = uuid.uuid4().hex[:8]
        t0 = time.perf_counter()
        # Safety checks read the whole raw message: a crisis may come after the length cap.
        assessment = self.crisis.assess(question or "")
        crisis = assessment.crisis
        notice = assessment.notice
        whole = normalise_question(question or "", limit=None)
        text = whole[:MAX_QUESTION_CHARS]
        if not text:
            return Answer(
                question="",
                text=EMPTY_TEXT,
                abstained=True,
                crisis=crisis,
                safety_notice=notice,
            )
        notes: list[str] = []
        if len(whole) > MAX_QUESTION_CHARS:
            notes.append(TRUNCATED_NOTE.format(n=len(whole), limit=MAX_QUESTION_CHARS))
        number = bare_provision_number(text)
        if number is not None:
            text, reading = self._read_bare_number(number)
            notes.extend([reading] if reading else [])

        def abstain(
            message: str, hits: tuple[Hit, ...] = (), timings: dict[str, float] | None = None
        ) -> Answer:
            """No answer from the law, said plainly, after any crisis signposting."""
            answer = Answer(
                question=text,
                text=message,
                hits=hits,
                abstained=True,
                crisis=crisis,
                safety_notice=notice,
                notes=tuple(notes),
            )
            return self._finish(answer, t0, timings or {}, request_id)

        jurisdiction = safety.detect_other_jurisdiction(text)
        if jurisdiction:
            return abstain(safety.jurisdiction_note(jurisdiction))
        try:
            resolved = resolve_kinds(kinds)
        except UserInputError as exc:
            return abstain(str(exc))
        retriever = self.retriever
        t1 = time.perf_counter()
        retrieval = retriever.retrieve(follow_up_question(text, history), resolved)
        t2 = time.perf_counter()
        searched = {"retrieve": (t2 - t1) * 1000}
        topic = self._out_of_scope(retrieval, text)
        if topic is not None:
            return abstain(
                f"I couldn't find this in the SEND law and guidance I hold: it is about "
                f"{topic.topic}. {topic.where}\n\n{safety.WHERE_TO_GET_HELP}",
                timings=searched,
            )
        if self._should_abstain(retrieval):
            return abstain(
                f"{ABSTAIN_TEXT}\n\n{safety.WHERE_TO_GET_HELP}", retrieval.hits, searched
            )
        body, citations = compose_extractive_answer(text, retrieval.hits, self._idf)
        generator: str = "extractive"
        if use_llm and self.generator is not None and citations:
            try:
                body, citations = self.generator.generate(text, citations, body)
                generator = "llm"
            except GenerationError as exc:
                notes.append(
                    f"The language model was not used ({exc}); this answer quotes the sources."
                )
        t3 = time.perf_counter()
        answer = Answer(
            question=text,
            text=f"{body}\n\n_{safety.NOT_LEGAL_ADVICE}_",
            citations=citations,
            hits=retrieval.hits,
            crisis=crisis,
            safety_notice=notice,
            notes=tuple(notes),
            generator=generator,  # type: ignore[arg-type]
        )
        timings = {"retrieve": (t2 - t1) * 1000, "compose": (t3 - t2) * 1000}
        return self._finish(answer, t0, timings, request_id)

    def _read_bare_number(self, number: str) -> tuple[str, str]:
        """A question that is only a number ('42'): the Act's section if held, else a regulation."""
        for word in ("section", "regulation"):
            if self.retriever.lookup(f"{word} {number}"):
                other = "regulation" if word == "section" else "section"
                return f"{word} {number}", (
                    f"You typed only “{number}”, so I read it as {word} {number}; "
                    f"ask about '{other} {number}' if you meant that."
                )
        return number, ""

    def _out_of_scope(self, retrieval: Retrieval, question: str) -> OutOfScopeTopic | None:
        """The SEND-adjacent topic the corpus does not cover that the question is about, if any.

        A provision named in the question is always in scope ("is s.42 about transport?").
        """
        if retrieval.direct or retrieval.vector is None:
            return None
        by_name = self.scope.named(question)
        if by_name is not None:
            return by_name
        verdict = self.scope.verdict(retrieval.vector, retrieval.best_dense)
        if verdict is None or verdict.lead < self.settings.scope_margin:
            return None
        return verdict.topic

    def _should_abstain(self, retrieval: Retrieval) -> bool:
        """No named provision, and nothing close enough in meaning: the sources don't answer it."""
        if retrieval.direct:
            return False
        threshold = (
            self.settings.abstain_threshold_in_scope
            if retrieval.in_scope
            else self.settings.abstain_threshold
        )
        return not retrieval.hits or retrieval.best_dense < threshold

    def _finish(
        self, answer: Answer, t0: float, timings: dict[str, float], request_id: str
    ) -> Answer:
        timings = {**timings, "total": (time.perf_counter() - t0) * 1000}
        # Log ids and timings only: question text holds children's personal data.
        log.info(
            "answered request=%s abstained=%s crisis=%s citations=%d total_ms=%.0f",
            request_id,
            answer.abstained,
            answer.crisis,
            len(answer.citations),
            timings["total"],
        )
        return answer.model_copy(update={"timings_ms": timings})


def hits_summary(hits: Sequence[Hit]) -> list[dict[str, object]]:
    return [
        {
            "rank": h.rank,
            "source_id": h.passage.source_id,
            "locator": h.passage.locator,
            "score": round(h.fused, 6),
        }
        for h in hits
    ]
