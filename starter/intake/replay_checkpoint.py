"""What a replay already handed over, so that a re-run after an interruption skips it.

One file per source content (its SHA-256), under ``<data_dir>/replay/``: JSON lines, one key
per record acknowledged (a workflow started or found, a reject written, a skip noted). A
record in flight when the replay stopped is not in it: the re-run submits it again and the
dedupe (workflow id, then the store's claim) answers "duplicate", so nothing starts twice.
"""

import hashlib
import json
from pathlib import Path
from types import TracebackType
from typing import IO


class Checkpoint:
    def __init__(self, folder: Path, content: bytes) -> None:
        self.path = folder / f"{hashlib.sha256(content).hexdigest()}.jsonl"
        self.done: set[str] = set()
        if self.path.exists():
            self.done = {
                json.loads(line) for line in self.path.read_text().splitlines() if line.strip()
            }
        self._handle: IO[str] | None = None

    def __enter__(self) -> "Checkpoint":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def mark(self, key: str) -> None:
        """Remember ``key`` at once (flushed), so that an interruption right after keeps it."""
        assert self._handle is not None, "use the checkpoint as a context manager"
        self.done.add(key)
        self._handle.write(json.dumps(key) + "\n")
        self._handle.flush()
