"""Which document is the Act, the Regulations or the Code is said once: in the manifest.

A question naming "section 42", "reg 13(2)" or "para 9.14" is looked up by each document's
``role`` and ``cues`` in corpus/sources.toml, so no code names a document and adding one needs
no code change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.anchors import named_provisions, provision_locator
from rag.errors import ConfigError
from rag.manifest import documents_named, load_manifest, manifest_problem
from rag.schema import Source
from rag.settings import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "corpus" / "sources.toml"
SOURCES = load_manifest(MANIFEST)
#: The packages that make up sendqa (tests may name documents: they check the real corpus).
CODE_PACKAGES = ("rag", "ingest", "casework", "ui", "evals", "sendqa")
#: Code, and tables written like code. Data files (.jsonl: eval sets, reviewed banks) are not.
CODE_SUFFIXES = {".py", ".js", ".css", ".html", ".toml"}
#: Data that cites provisions by document id, as corpus/notes/<source_id>.jsonl and the eval
#: sets do: each deadline rule quotes a provision of one document. Adding a document changes
#: none of it.
CITING_DATA = {"casework/rules.toml"}


def _code_files() -> list[Path]:
    return [
        path
        for package in CODE_PACKAGES
        for path in sorted((PROJECT_ROOT / package).rglob("*"))
        if path.is_file()
        and path.suffix in CODE_SUFFIXES
        and path.relative_to(PROJECT_ROOT).as_posix() not in CITING_DATA
    ]


def test_no_code_names_a_document_of_the_manifest() -> None:
    ids = re.compile("|".join(re.escape(s.source_id) for s in SOURCES))
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}: {m.group()}"
        for path in _code_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for m in ids.finditer(line)
    ]
    assert not found, "document ids belong in corpus/sources.toml (role, cues):\n" + "\n".join(
        found
    )


def _named(question: str) -> list[list[str]]:
    return [documents_named(SOURCES, family, question) for family, _ in named_provisions(question)]


@pytest.mark.parametrize(
    ("question", "documents"),
    [
        ("What does section 42 say?", ["ukpga-2014-6"]),
        ("Is section 20 of the Equality Act about adjustments?", ["ukpga-2010-15"]),
        ("What does regulation 13 require?", ["uksi-2014-1530"]),
        ("reg 4 of the personal budget regulations", ["uksi-2014-1652"]),
        ("regulation 3 of the 2017 recommendations regulations", ["uksi-2017-1306"]),
        ("Equality Act schedule 13", ["ukpga-2010-15"]),
        ("What does paragraph 9.14 say?", ["send-code-of-practice-2015"]),
        (
            "explanatory notes paragraph 120",
            ["cfa-2014-explanatory-notes", "equality-act-2010-explanatory-notes"],
        ),
        ("Equality Act explanatory notes paragraph 20", ["equality-act-2010-explanatory-notes"]),
    ],
)
def test_a_named_provision_is_looked_up_in_the_documents_its_roles_and_cues_give(
    question: str, documents: list[str]
) -> None:
    assert _named(question) == [documents]


def test_a_schedule_named_alone_is_looked_up_in_the_default_act_and_regulations() -> None:
    assert _named("schedule 2 paragraph 3") == [["ukpga-2014-6", "uksi-2014-1530"]]


def test_regulations_have_regulations_and_acts_sections() -> None:
    by_id = {s.source_id: s for s in SOURCES}
    assert provision_locator(by_id["uksi-2014-1530"], "13", ("2",)) == "reg.13(2)"
    assert provision_locator(by_id["ukpga-2014-6"], "42", ("2",)) == "s.42(2)"
    assert all(s.role in ("act", "regulations") for s in SOURCES if s.kind == "legislation")


def _source(source_id: str, **fields: object) -> Source:
    return Source(source_id=source_id, title=source_id, short_title=source_id, **fields)  # type: ignore[arg-type]


def test_two_defaults_of_one_role_are_refused() -> None:
    sources = [
        _source("a", kind="legislation", role="act"),
        _source("b", kind="legislation", role="act"),
    ]
    assert "['a', 'b'] are all of role 'act' without cues" in (manifest_problem(sources) or "")
    assert (
        manifest_problem([sources[0], _source("b", kind="legislation", role="act", cues=("b",))])
        is None
    )


def test_explanatory_notes_must_explain_an_act_when_the_manifest_lists_it(tmp_path: Path) -> None:
    manifest = tmp_path / "sources.toml"
    notes = (
        '[[source]]\nsource_id = "notes"\ntitle = "Notes"\nshort_title = "Notes"\n'
        'kind = "guidance"\nrole = "explanatory_notes"\nexplains = "{target}"\n'
    )
    code = (
        '[[source]]\nsource_id = "code"\ntitle = "Code"\nshort_title = "Code"\n'
        'kind = "statutory_guidance"\nrole = "code"\n'
    )
    manifest.write_text(notes.format(target="code") + code, encoding="utf-8")
    with pytest.raises(ConfigError, match="notes explains 'code'"):
        load_manifest(manifest)
    # A smaller manifest (a test corpus, a partial mirror) may leave the Act out.
    manifest.write_text(notes.format(target="missing-act"), encoding="utf-8")
    assert [s.source_id for s in load_manifest(manifest)] == ["notes"]
    with pytest.raises(ValueError, match="explains is for documents whose role"):
        _source("x", kind="guidance", explains="ukpga-2014-6")


def test_cues_are_read_in_lower_case() -> None:
    assert _source("x", kind="legislation", role="act", cues=(" Equality ",)).cues == ("equality",)
