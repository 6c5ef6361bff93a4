"""The import direction between sendqa's packages, read from the source with ``ast``.

``rag`` is the answer engine and imports no other package of ours. ``ingest``, ``casework``
and ``evals`` build on ``rag`` and never on each other. ``ui`` is the Gradio app over ``rag``
and ``casework``. Only ``sendqa`` (the CLI) wires everything together.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: What each package may import, besides itself. The CONVENTIONS draw the same picture.
ALLOWED: dict[str, set[str]] = {
    "rag": set(),
    "ingest": {"rag"},
    "casework": {"rag"},
    "evals": {"rag"},
    "ui": {"rag", "casework"},
    "sendqa": {"rag", "ingest", "casework", "evals", "ui"},
}
#: Top-level folders of ours that no package may import.
NOT_LIBRARIES = {"tests", "benchmarks"}
OURS = set(ALLOWED) | NOT_LIBRARIES
#: Modules with no Gradio in them: rendering and messages, the core and the features.
GRADIO_FREE = ["rag", "ingest", "casework", "evals", "ui/render.py", "ui/messages.py"]


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, top-level module) for every import in a file of ``package``, in functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            top = package if node.level else (node.module or "").split(".")[0]
            found.append((node.lineno, top))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def _files(target: str) -> list[Path]:
    path = ROOT / target
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.mark.parametrize("package", list(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    allowed = ALLOWED[package] | {package}
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _files(package)
        for line, module in _imports(path, package)
        if module in OURS and module not in allowed
    ]
    assert not wrong, f"{package} may import only {sorted(allowed)}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("target", GRADIO_FREE)
def test_gradio_stays_in_the_tabs_and_the_app(target: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _files(target)
        for line, module in _imports(path, target.split("/")[0])
        if module in {"gradio", "gradio_client"}
    ]
    assert not wrong, "imports gradio: " + ", ".join(wrong)


def test_every_package_is_in_the_layout_packaged_and_type_checked() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_LIBRARIES
    assert packages == set(ALLOWED), "add the new package to ALLOWED, pyproject and the README"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {pattern.rstrip("*") for pattern in include} == packages
    assert set(pyproject["tool"]["mypy"]["files"]) == packages


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Plain, from, relative, inside a function, and importlib.import_module('...')."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import ui.app\nfrom evals import run\nfrom . import rules\n"
        "def f():\n    from ingest.build import build_index\n"
        "import importlib\nimportlib.import_module('sendqa.cli')\n",
        encoding="utf-8",
    )
    modules = {module for _, module in _imports(probe, "casework")}
    assert modules == {"ui", "evals", "casework", "ingest", "importlib", "sendqa"}
