"""Sandbox databases: where trytond finds them, creating their schema, copying SQLite files,
and reading what provisioning left in them."""

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from connectors.erp.tryton.states import VALIDATED
from connectors.erp.tryton_module import MODULE_NAME
from connectors.erp.tryton_sandbox.subprocesses import run_python_module

MODULES = (
    "sale",
    "stock",
    "account_invoice",
    "account_stock_anglo_saxon",
    "sale_discount",
    "account_cash_rounding",
    "purchase",
    "product_price_list",
    "sale_price_list",
    "sale_promotion",
)

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"  # a throwaway sandbox: the REST key is what clients use
SQLITE_URI = "sqlite://"


@dataclass(frozen=True)
class SandboxFacts:
    api_key: str
    company_id: int


@dataclass(frozen=True)
class SandboxDatabase:
    """A sandbox ERP database as trytond reaches it.

    ``uri`` is trytond's ``[database] uri``: ``sqlite://`` (the default), or a PostgreSQL
    server's ``postgresql://user@host:port/``. ``data_dir`` holds SQLite's database files, and
    the configuration, log and stored attachments of the servers that run on the database.
    """

    name: str
    data_dir: Path
    uri: str = SQLITE_URI

    @classmethod
    def sqlite(cls, database_file: Path) -> "SandboxDatabase":
        return cls(name=database_file.stem, data_dir=database_file.parent)

    @property
    def on_postgresql(self) -> bool:
        return self.uri.startswith("postgresql")

    @property
    def file(self) -> Path:
        """Where trytond's SQLite backend keeps it."""
        return database_file(self.data_dir, self.name)

    @property
    def conninfo(self) -> str:
        """The PostgreSQL connection string of this database."""
        return f"{self.uri.rstrip('/')}/{self.name}"


def database_file(data_dir: Path, name: str) -> Path:
    """Where trytond's SQLite backend keeps database ``name``."""
    return data_dir / f"{name}.sqlite"


def activate_modules(config_file: Path, database: SandboxDatabase) -> None:
    """Create trytond's tables in the new, empty ``database`` and activate MODULES with
    trytond-admin (the slow part); a SQLite database file is created first."""
    if not database.on_postgresql:
        sqlite3.connect(database.file).close()
    password_file = database.data_dir / f"{database.name}.password"
    password_file.write_text(ADMIN_PASSWORD + "\n")
    try:
        run_python_module(
            "trytond.cli.admin",
            "--config",
            str(config_file),
            "--database",
            database.name,
            "--update",
            *MODULES,
            MODULE_NAME,  # tillsync's own (connectors/erp/tryton_module)
            "--all",
            "--activate-dependencies",
            "--email",
            f"{ADMIN_LOGIN}@example.com",
            env={**os.environ, "TRYTONPASSFILE": str(password_file)},
        )
    finally:
        password_file.unlink()


def copy_database(template: Path, target_dir: Path, name: str) -> Path:
    """Copy ``template`` to ``target_dir/<name>.sqlite`` with SQLite's online backup API.

    The databases run in WAL mode: copying the file alone can miss committed pages that still
    sit in its ``-wal`` file, and a stale ``-wal`` next to a copied file corrupts it.
    """
    target = database_file(target_dir, name)
    target_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


_API_KEY_QUERY = (
    "SELECT key FROM res_user_application"
    f" WHERE application = 'rest' AND state = '{VALIDATED}' ORDER BY id LIMIT 1"
)
_COMPANY_QUERY = "SELECT id FROM company_company ORDER BY id LIMIT 1"


def read_sandbox_facts(database: SandboxDatabase) -> SandboxFacts:
    """The REST key and company id that provisioning left in the database."""
    connection: psycopg.Connection[Any] | sqlite3.Connection = (
        psycopg.connect(database.conninfo)
        if database.on_postgresql
        else sqlite3.connect(database.file)
    )
    with closing(connection):
        rows: list[Any] = [
            connection.execute(query).fetchone() for query in (_API_KEY_QUERY, _COMPANY_QUERY)
        ]
    if None in rows:
        raise RuntimeError(f"database {database.name} has no REST key or company: not provisioned")
    ((api_key,), (company_id,)) = rows
    return SandboxFacts(api_key=api_key, company_id=company_id)
