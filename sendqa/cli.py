"""The ``sendqa`` command: ingest, ask, serve, eval, corpus, passages and notes.

Errors become one clear line on stderr and a non-zero exit code; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from rag.errors import SendQAError, UserInputError
from rag.settings import Settings

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _quiet_environment() -> None:
    """Offline by default: no hub downloads, no telemetry."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(key, value)


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    if getattr(args, "chroma_url", None):
        overrides["chroma_url"] = args.chroma_url
    if getattr(args, "port", None):
        overrides["port"] = args.port
    if getattr(args, "host", None):
        overrides["host"] = args.host
    return Settings(**overrides)  # type: ignore[arg-type]


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.build import build_index

    report = build_index(_settings(args), progress=not args.quiet, force=args.force)
    print(report.summary())
    return EXIT_OK


def _answer_json(answer: object, today: date | None = None) -> dict[str, object]:
    from rag.current_to import stale_notice
    from rag.pipeline import hits_summary
    from rag.schema import Answer
    from rag.serialise import citation_json

    assert isinstance(answer, Answer)
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "crisis": answer.crisis,
        "safety_notice": answer.safety_notice,
        "citations": [citation_json(c) for c in answer.citations],
        "current_to_notice": stale_notice(
            (c.passage for c in answer.citations), today or date.today()
        ),
        "hits": hits_summary(answer.hits),
        "notes": list(answer.notes),
        "generator": answer.generator,
        "timings_ms": {k: round(v, 1) for k, v in answer.timings_ms.items()},
    }


def format_answer(answer: object, today: date | None = None) -> str:
    """Plain-text rendering for the terminal: signposting, answer, then the dated sources."""
    from rag.current_to import current_to_text, stale_notice
    from rag.schema import Answer

    assert isinstance(answer, Answer)
    parts = []
    if answer.safety_notice:
        parts.append(answer.safety_notice.strip())
    parts.append(answer.text.strip())
    if answer.citations:
        parts.append("Sources:")
        for c in answer.citations:
            anchor = c.passage.anchor
            when = current_to_text(anchor.current_to, c.passage.kind)
            parts.append(f"[{c.key}] {anchor.label} ({when}) — {anchor.url}")
    parts.extend(answer.notes)
    notice = stale_notice((c.passage for c in answer.citations), today or date.today())
    if notice:
        parts.append(notice)
    return "\n\n".join(parts)


def _read_stdin() -> str:
    """The whole of standard input as text (a pasted email); bytes that are not UTF-8 become '?'."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # replaced by a text stream (tests, some shells' wrappers)
        return sys.stdin.read()
    return bytes(buffer.read()).decode("utf-8-sig", errors="replace")


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.generate import generator_from_settings
    from rag.pipeline import EMPTY_TEXT, SendQA
    from rag.query import normalise_question
    from rag.schema import resolve_kinds

    question = _read_stdin() if args.question == "-" else args.question
    # Checked before the model loads: bad input is a usage error, not an answer.
    if not normalise_question(question):
        raise UserInputError(EMPTY_TEXT)
    kinds = args.kinds.split(",") if args.kinds else None
    resolve_kinds(kinds)
    settings = _settings(args)
    qa = SendQA(settings, generator=generator_from_settings(settings))
    answer = qa.ask(question, kinds=kinds)
    if args.json:
        print(json.dumps(_answer_json(answer), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return EXIT_OK


def _log_to_stderr(level: str) -> None:
    """Request ids and timings on stderr for whoever runs the app; question text is never logged."""
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.app import serve

    _log_to_stderr(args.log_level)
    settings = _settings(args)
    if not args.no_ingest:
        from ingest.build import build_index
        from rag.index import current_build

        if current_build(settings.index_dir) is None:
            print("No index yet: building it from", settings.corpus_dir)
            print(build_index(settings, progress=True).summary())
    serve(settings)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from evals.run import run_eval

    settings = _settings(args)
    from evals.run import DEFAULT_SYSTEMS

    systems = [s.strip() for s in (args.systems or "").split(",") if s.strip()] or list(
        DEFAULT_SYSTEMS
    )
    out = run_eval(
        settings,
        Path(args.set),
        systems=systems,
        out_dir=Path(args.out) if args.out else None,
        limit=args.limit,
        progress=not args.quiet,
    )
    print(f"Results written to {out}")
    return EXIT_OK


def cmd_corpus(args: argparse.Namespace) -> int:
    from ingest.fetch import fetch_corpus, list_corpus

    settings = _settings(args)
    if args.corpus_command == "list":
        print(list_corpus(settings))
        return EXIT_OK
    dest = Path(args.dest) if args.dest else settings.corpus_dir
    mirror = Path(args.mirror) if args.mirror else None
    print(fetch_corpus(settings, dest, mirror=mirror))
    return EXIT_OK


def _audit(args: argparse.Namespace, settings: Settings, held: list[object]) -> int:
    """Check every provision of a legislation file against the passages the index holds."""
    from ingest.audit import audit_legislation
    from rag.manifest import load_manifest
    from rag.schema import Passage

    source = next(
        (s for s in load_manifest(settings.manifest_path) if s.source_id == args.source), None
    )
    if source is None:
        raise UserInputError(f"{args.source!r} is not in the manifest {settings.manifest_path}")
    if source.format != "legalize-md":
        raise UserInputError(
            f"the audit reads legislation in legalize-uk Markdown; {source.source_id} is "
            f"{source.format}"
        )
    path = settings.corpus_dir / source.filename
    if not path.is_file():
        print(f"sendqa: {path} not found: pass --corpus DIR", file=sys.stderr)
        return EXIT_ERROR
    passages = [p for p in held if isinstance(p, Passage) and p.source_id == source.source_id]
    report = audit_legislation(path.read_text(encoding="utf-8-sig"), source, passages)
    for finding in report.findings:
        print(finding)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_passages(args: argparse.Namespace) -> int:
    from rag.index import open_index

    settings = _settings(args)
    index = open_index(settings.index_dir, settings.chroma_url)
    ordered = index.ordered
    if args.passages_command == "audit":
        return _audit(args, settings, list(ordered))
    if args.passages_command == "list":
        rows = [p for p in ordered if p.source_id == args.source]
        if not rows:
            known = sorted({p.source_id for p in ordered})
            print(
                f"sendqa: no passages for source {args.source!r}; known: {', '.join(known)}",
                file=sys.stderr,
            )
            return EXIT_ERROR
        for p in rows:
            print(f"{p.locator or '-'}\t{p.anchor.label}")
        return EXIT_OK
    from rag.anchors import resolve_locator

    locator = args.locator.strip()
    candidates = [p for p in ordered if not args.source or p.source_id == args.source]
    found = resolve_locator(candidates, locator)
    if not found:
        print(
            f"sendqa: no passage at {locator!r}" + (f" in {args.source}" if args.source else ""),
            file=sys.stderr,
        )
        return EXIT_ERROR
    for p in found:
        print(f"{p.anchor.label}\n{p.anchor.url}\n\n{p.text}\n")
    return EXIT_OK


def cmd_notes(args: argparse.Namespace) -> int:
    """Review corpus/notes against a fresh parse of the corpus; exit 1 on any problem."""
    from ingest.documents import collect_documents
    from rag.manifest import load_manifest
    from rag.notes import check_notes, load_notes

    settings = _settings(args)
    sources = load_manifest(settings.manifest_path)
    docs = collect_documents(sources, settings.corpus_dir)
    passages = [p for d in docs for p in d.passages]
    required = [s.source_id for s in sources if s.notes]
    report = check_notes(passages, load_notes(settings.notes_dir), required)
    print(report.render())
    return EXIT_OK if report.ok else EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sendqa",
        description="Answers questions about SEND law in England with cited passages.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def index_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", help="index folder (default: SENDQA_INDEX_DIR or var/index)")
        p.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")

    p = sub.add_parser("ingest", help="build or update the index from the corpus")
    index_args(p)
    p.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question")
    index_args(p)
    p.add_argument("question", help="the question, or '-' to read it from standard input")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--kinds", help="comma list: law,guidance,reports,testimony or source kinds")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="start the web app on 127.0.0.1")
    index_args(p)
    p.add_argument("--corpus", help="corpus folder used if the index must be built")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--no-ingest", action="store_true", help="fail instead of building an index")
    p.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        default="info",
        help="detail logged on stderr (default info: request ids and timings, never questions)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="run a gold question set through sendqa and baselines")
    index_args(p)
    p.add_argument("--set", required=True, help="gold set JSONL (e.g. ../shared/evals/dev.jsonl)")
    p.add_argument("--out", help="output folder (default evals/results/<timestamp>)")
    p.add_argument(
        "--systems",
        help="comma list (default: sendqa, bare_hybrid, both naive LangChain peers, bm25, dense)",
    )
    p.add_argument("--corpus", help="corpus folder for the naive baseline")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("corpus", help="list or fetch the source documents")
    csub = p.add_subparsers(dest="corpus_command", required=True)
    c = csub.add_parser("list", help="each document with kind, completeness and passages")
    index_args(c)
    c.add_argument("--corpus", help="corpus folder")
    c = csub.add_parser("fetch", help="download the official documents (or copy a mirror)")
    c.add_argument("--mirror", help="take files from this folder instead of the network")
    c.add_argument("--dest", help="where to put them (default: the corpus folder)")
    c.add_argument("--corpus", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_corpus)

    p = sub.add_parser("passages", help="show passages by anchor")
    psub = p.add_subparsers(dest="passages_command", required=True)
    s = psub.add_parser(
        "show",
        help="print the passage(s) at or under an anchor, e.g. 's.42(2)'; a paragraph inside a "
        "passage ('reg.12(1)(i)') is cut out of it",
    )
    s.add_argument("locator")
    s.add_argument("--source", help="document id (default: any)")
    index_args(s)
    s = psub.add_parser("list", help="one line per passage of a document")
    s.add_argument("--source", required=True, help="document id (a source_id in the manifest)")
    index_args(s)
    s = psub.add_parser(
        "audit",
        help="check that every provision of a legislation file has a passage with its own words "
        "(exit 1 and one line per problem otherwise)",
    )
    s.add_argument("--source", required=True, help="legislation id (a source_id in the manifest)")
    s.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    index_args(s)
    p.set_defaults(func=cmd_passages)

    p = sub.add_parser("notes", help="review the provision notes in corpus/notes")
    nsub = p.add_subparsers(dest="notes_command", required=True)
    n = nsub.add_parser("check", help="coverage and checks; exit 1 on any problem")
    n.add_argument("--corpus", help="corpus folder (default: ../shared/corpus)")
    p.set_defaults(func=cmd_notes)
    return parser


def _tolerant_output() -> None:
    """A terminal that cannot show a character (emoji, curly quotes) gets '?', not a traceback."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (tests call this directly)."""
    _quiet_environment()
    _tolerant_output()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on bad usage; return its code
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return int(args.func(args))
    except UserInputError as exc:
        print(f"sendqa: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SendQAError as exc:
        print(f"sendqa: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("sendqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`sendqa passages show s.66 | head`): not an error of ours.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stops a second error at exit
        return 0
