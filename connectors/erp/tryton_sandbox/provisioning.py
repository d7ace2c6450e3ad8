"""Build the sandbox template database once and cache it.

Activating the modules takes tens of seconds and seeding a few more, so the result is cached
under a key that changes with the provisioning code, the Tryton versions and the year (the
fiscal years are last, this and next year). Databases for tests and demos are copies of it.
"""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from connectors.erp.tryton_sandbox.database import MODULES, copy_database, create_database
from connectors.erp.tryton_sandbox.subprocesses import run_python_module
from connectors.erp.tryton_sandbox.trytond_config import write_trytond_config

_TEMPLATE_PREFIX = "tillsync-erp-"
_PACKAGE = Path(__file__).parent
_PROVISIONING_SOURCES = [
    _PACKAGE / "database.py",
    _PACKAGE / "trytond_config.py",
    *sorted((_PACKAGE / "seed").glob("*.py")),
]
_DISTRIBUTIONS = (
    "trytond",
    "proteus",
    *(f"trytond-{m.replace('_', '-')}" for m in MODULES),
)


def ensure_template(cache_dir: Path) -> Path:
    """The template database for this code, these versions and this year; built if missing."""
    year = datetime.now(UTC).astimezone().year
    template = cache_dir / f"{_TEMPLATE_PREFIX}{_template_key(year)}.sqlite"
    if template.exists():
        return template
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(cache_dir / ".lock"):
        if not template.exists():
            _build(template, year)
            _remove_other_templates(keep=template)
    return template


def _template_key(year: int) -> str:
    digest = hashlib.sha256(str(year).encode())
    for distribution in _DISTRIBUTIONS:
        digest.update(f"{distribution}=={metadata.version(distribution)}".encode())
    for source in _PROVISIONING_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _build(template: Path, year: int) -> None:
    with tempfile.TemporaryDirectory(dir=template.parent) as build_dir:
        data_dir = Path(build_dir)
        config_file = write_trytond_config(data_dir / "trytond.conf", data_dir)
        create_database(config_file, data_dir, "build")
        run_python_module(
            "connectors.erp.tryton_sandbox.seed",
            "--config",
            str(config_file),
            "--database",
            "build",
            "--year",
            str(year),
        )
        staged = copy_database(data_dir / "build.sqlite", data_dir, "staged")
        os.replace(staged, template)


def _remove_other_templates(keep: Path) -> None:
    for stale in keep.parent.glob(f"{_TEMPLATE_PREFIX}*.sqlite"):
        if stale != keep:
            stale.unlink()


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """Let one process build while others (parallel test sessions) wait for its result."""
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
