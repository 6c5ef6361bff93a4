"""Reading the reviewed data files in ``rag/data``: one validated JSON object per line."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from rag.errors import ConfigError

Row = TypeVar("Row", bound=BaseModel)


def load_jsonl(path: Path, model: type[Row]) -> tuple[Row, ...]:
    """Every line of ``path`` as a ``model``; a bad line is a configuration error naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate_json(line))
        except ValidationError as exc:
            raise ConfigError(f"{path}, line {number}: {exc.errors()[0]['msg']}") from exc
    return tuple(rows)
