"""Every setting is documented in the README (an undocumented knob is a hidden one)."""

from __future__ import annotations

from rag.settings import PROJECT_ROOT, Settings


def test_every_setting_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"SENDQA_{n.upper()}" not in readme]
    assert not missing, f"settings missing from README: {missing}"


def test_every_setting_has_a_description() -> None:
    assert all(f.description for f in Settings.model_fields.values())


def test_core_imports_no_other_sendqa_package() -> None:
    for path in (PROJECT_ROOT / "rag").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for other in ("ingest", "ui", "evals", "sendqa"):
            assert f"from {other}" not in text and f"import {other}" not in text, path.name
