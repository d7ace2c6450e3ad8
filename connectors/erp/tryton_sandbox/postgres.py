"""The sandbox ERP's databases on a PostgreSQL server: the cached template and its copies.

A template is an ordinary database marked ``IS_TEMPLATE`` (trytond then never lists it) and
named after its cache key; each server runs on a copy made with ``CREATE DATABASE ... TEMPLATE``
(a file-level copy: a second or two). Copies are named ``tillsync_erp_<name>_p<pid>_<hex>``,
so a copy whose process died without dropping it is recognised and dropped later.
"""

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from connectors.erp.tryton_sandbox.database import SandboxDatabase

DEFAULT_POSTGRES_URI = "postgresql://postgres@127.0.0.1:5432/"
TEMPLATE_PREFIX = "tillsync_erp_template_"
BUILD_PREFIX = "tillsync_erp_build_"
_COPY_PATTERN = re.compile(r"^tillsync_erp_(?!template_|build_)\w+_p(\d+)_[0-9a-f]{6}$")
_MAX_NAME = 63  # PostgreSQL's identifiers
_BUILT_AT = "tillsync ERP template built "
_KEEP_OTHER_TEMPLATES = timedelta(days=1)  # other checkouts may still use theirs
_BUILD_LOCK = 0x7469_6C6C_7379_6E63  # pg_advisory_lock key: "tillsync"


class PostgresServer:
    """Administration of one PostgreSQL server (``uri`` in trytond's form, no database)."""

    def __init__(self, uri: str = DEFAULT_POSTGRES_URI) -> None:
        self.uri = uri

    def database(self, name: str, data_dir: Path) -> SandboxDatabase:
        return SandboxDatabase(name=name, data_dir=data_dir, uri=self.uri)

    def exists(self, name: str) -> bool:
        with self._connect() as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
        return found is not None

    def create(self, name: str, template: str = "template0") -> None:
        self._run("CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8'", name, template)

    def drop(self, name: str, *, force: bool = True) -> None:
        """Drop ``name`` if it exists; without ``force``, refuse while anyone is connected."""
        self._run("ALTER DATABASE {} IS_TEMPLATE false", name, missing_ok=True)
        self._run("DROP DATABASE IF EXISTS {}" + (" WITH (FORCE)" if force else ""), name)

    def names(self, prefix: str) -> list[str]:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix,)
            ).fetchall()
        return sorted(name for (name,) in rows)

    def make_template(self, build: str, name: str) -> None:
        """Rename finished database ``build`` to ``name`` and mark it a template."""
        self._run("ALTER DATABASE {} RENAME TO {}", build, name)
        self._run("ALTER DATABASE {} IS_TEMPLATE true", name)
        with self._connect() as connection:
            comment = f"{_BUILT_AT}{datetime.now(UTC).isoformat()}"
            connection.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(comment)
                )
            )

    def drop_stale_templates(self, keep: str) -> None:
        """Drop the other templates built more than a day ago."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE starts_with(datname, %s) AND datname <> %s",
                (TEMPLATE_PREFIX, keep),
            ).fetchall()
        for name, comment in rows:
            built = (comment or "").removeprefix(_BUILT_AT)
            with suppress(ValueError):
                if datetime.now(UTC) - datetime.fromisoformat(built) < _KEEP_OTHER_TEMPLATES:
                    continue
            with suppress(psycopg.Error):
                self.drop(name, force=False)

    def drop_orphaned_copies(self) -> None:
        """Drop copies whose process is gone (it died without dropping them)."""
        for name in self.names("tillsync_erp_"):
            match = _COPY_PATTERN.match(name)
            if match and not _process_alive(int(match[1])):
                with suppress(psycopg.Error):
                    self.drop(name, force=False)

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """One template build at a time on this server, whichever process asks."""
        with self._connect() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (_BUILD_LOCK,))
            try:
                yield
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (_BUILD_LOCK,))

    def _run(self, statement: str, *names: str, missing_ok: bool = False) -> None:
        query = sql.SQL(statement).format(*(sql.Identifier(name) for name in names))
        with self._connect() as connection:
            try:
                connection.execute(query)
            except psycopg.errors.InvalidCatalogName:
                if not missing_ok:
                    raise

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(f"{self.uri.rstrip('/')}/postgres", autocommit=True)


def copy_postgres_database(
    template: str, work_dir: Path, name: str, server: PostgresServer
) -> SandboxDatabase:
    """A new database copied from ``template``, named after ``name`` and this process."""
    server.drop_orphaned_copies()
    copy = f"tillsync_erp_{name}_p{os.getpid()}_{secrets.token_hex(3)}"
    if len(copy) > _MAX_NAME or not _COPY_PATTERN.match(copy):
        raise ValueError(f"{name!r}: a copy's name takes letters, digits and _ (short)")
    server.create(copy, template=template)
    work_dir.mkdir(parents=True, exist_ok=True)
    return server.database(copy, work_dir)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
