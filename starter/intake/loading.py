"""Read canonical JSON files and folders into transactions; keep every reject with its reasons."""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from connectors.pos.base import Reject
from connectors.pos.canonical import parse_canonical
from domain.transaction import PosTransaction


class LoadedFile(BaseModel):
    path: Path
    transactions: list[PosTransaction]
    rejects: list[Reject]


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders become their *.json and *.jsonl files, in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                child for child in path.rglob("*") if child.suffix in (".json", ".jsonl")
            )
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def load_files(paths: Iterable[Path]) -> list[LoadedFile]:
    loaded: list[LoadedFile] = []
    for path in expand_paths(paths):
        result = parse_canonical(path.read_bytes())
        loaded.append(
            LoadedFile(path=path, transactions=result.transactions, rejects=result.rejects)
        )
    return loaded


def write_rejects(rejects_file: Path, loaded: Iterable[LoadedFile]) -> int:
    """Append every reject to the rejects file (JSON lines); returns how many were written."""
    return sum(append_rejects(rejects_file, str(item.path), item.rejects) for item in loaded)


def append_rejects(rejects_file: Path, source: str, rejects: Iterable[Reject]) -> int:
    """Append rejects from one source (a file, an HTTP request) to the rejects file. Rejects
    keep no card number (``connectors.pos.base.Reject``)."""
    rows = [
        {
            "rejected_at": datetime.now(UTC).isoformat(),
            "source": source,
            **reject.model_dump(mode="json"),
        }
        for reject in rejects
    ]
    if rows:
        rejects_file.parent.mkdir(parents=True, exist_ok=True)
        with rejects_file.open("a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
    return len(rows)
