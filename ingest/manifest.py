"""Read the source manifest (``corpus/sources.toml``) into ``Source`` objects."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from rag.errors import ConfigError
from rag.schema import Source


def load_manifest(path: Path) -> list[Source]:
    """Every document sendqa knows, in manifest order; a bad entry is a clear ConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"source manifest not found at {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"source manifest {path} is not valid TOML: {exc}") from exc
    sources: list[Source] = []
    for i, entry in enumerate(data.get("source", []), start=1):
        entry = {k: (tuple(v) if isinstance(v, list) else v) for k, v in entry.items()}
        try:
            sources.append(Source(**entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(
                f"source #{i} in {path}: {'.'.join(map(str, first['loc']))}: {first['msg']}"
            ) from exc
    ids = [s.source_id for s in sources]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ConfigError(f"source manifest {path} lists {sorted(dupes)} more than once")
    return sources
