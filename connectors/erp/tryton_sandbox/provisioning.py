"""Build the sandbox template database once and cache it, on SQLite or on PostgreSQL.

Activating the modules takes tens of seconds and seeding a few more, so the result is cached
under a key that changes with the provisioning code, the Tryton versions and the year (the
fiscal years are last, this and next year). Databases for tests and demos are copies of it: a
SQLite file in a cache folder, or a PostgreSQL template database named after the key.
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

from connectors.erp.tryton_sandbox.database import (
    MODULES,
    SandboxDatabase,
    activate_modules,
    copy_database,
)
from connectors.erp.tryton_sandbox.postgres import (
    BUILD_PREFIX,
    DEFAULT_POSTGRES_URI,
    TEMPLATE_PREFIX,
    PostgresServer,
    copy_postgres_database,
)
from connectors.erp.tryton_sandbox.subprocesses import run_python_module
from connectors.erp.tryton_sandbox.trytond_config import write_trytond_config

_TEMPLATE_PREFIX = "tillsync-erp-"
_PACKAGE = Path(__file__).parent
_PROVISIONING_SOURCES = [
    _PACKAGE / "database.py",
    _PACKAGE / "trytond_config.py",
    *sorted((_PACKAGE / "seed").glob("*.py")),
    *sorted((_PACKAGE.parent / "tryton_module").glob("*.py")),
    _PACKAGE.parent / "tryton_module" / "tryton.cfg",
]
_DISTRIBUTIONS = (
    "trytond",
    "proteus",
    *(f"trytond-{m.replace('_', '-')}" for m in MODULES),
)


def ensure_template(cache_dir: Path) -> Path:
    """The template database for this code, these versions and this year; built if missing."""
    year = _this_year()
    template = cache_dir / f"{_TEMPLATE_PREFIX}{_template_key(year)}.sqlite"
    if template.exists():
        return template
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(cache_dir / ".lock"):
        if not template.exists():
            _build(template, year)
            _remove_other_templates(keep=template)
    return template


def ensure_postgres_template(uri: str = DEFAULT_POSTGRES_URI) -> str:
    """The name of the PostgreSQL template database for this code, these versions and this
    year on the server at ``uri`` (trytond's form: ``postgresql://user@host:port/``); built
    if missing, by one process at a time."""
    year = _this_year()
    key = _template_key(year)
    name = f"{TEMPLATE_PREFIX}{key}"
    server = PostgresServer(uri)
    if server.exists(name):
        return name
    with server.build_lock():
        if not server.exists(name):
            build = f"{BUILD_PREFIX}{key}"
            server.drop(build)  # what a build that died left behind
            server.create(build)
            with tempfile.TemporaryDirectory(prefix="tillsync-erp-build-") as folder:
                _provision(server.database(build, Path(folder)), year)
            server.make_template(build, name)
            server.drop_stale_templates(keep=name)
    return name


@contextmanager
def postgres_sandbox(
    work_dir: Path, name: str = "tillsync", uri: str = DEFAULT_POSTGRES_URI
) -> Iterator[SandboxDatabase]:
    """A fresh copy of the PostgreSQL template (built first if missing), dropped on exit.
    ``work_dir`` takes the configuration, log and attachments of the servers run on it."""
    server = PostgresServer(uri)
    database = copy_postgres_database(ensure_postgres_template(uri), work_dir, name, server)
    try:
        yield database
    finally:
        server.drop(database.name)


def _this_year() -> int:
    return datetime.now(UTC).astimezone().year


def _template_key(year: int) -> str:
    digest = hashlib.sha256(str(year).encode())
    for distribution in _DISTRIBUTIONS:
        digest.update(f"{distribution}=={metadata.version(distribution)}".encode())
    for source in _PROVISIONING_SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _build(template: Path, year: int) -> None:
    with tempfile.TemporaryDirectory(dir=template.parent) as build_dir:
        database = SandboxDatabase(name="build", data_dir=Path(build_dir))
        _provision(database, year)
        staged = copy_database(database.file, database.data_dir, "staged")
        os.replace(staged, template)


def _provision(database: SandboxDatabase, year: int) -> None:
    """Activate the modules in empty ``database`` and seed it (any backend)."""
    config_file = write_trytond_config(
        database.data_dir / "trytond.conf", database.data_dir, uri=database.uri
    )
    activate_modules(config_file, database)
    run_python_module(
        "connectors.erp.tryton_sandbox.seed",
        "--config",
        str(config_file),
        "--database",
        database.name,
        "--year",
        str(year),
    )


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
