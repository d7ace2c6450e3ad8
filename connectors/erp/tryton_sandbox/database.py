"""Creating, copying and inspecting sandbox SQLite databases."""

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from connectors.erp.tryton_sandbox.subprocesses import run_python_module

MODULES = (
    "sale",
    "stock",
    "account_invoice",
    "account_stock_anglo_saxon",
    "sale_discount",
    "account_cash_rounding",
)
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"  # a throwaway sandbox: the REST key is what clients use


@dataclass(frozen=True)
class SandboxFacts:
    api_key: str
    company_id: int


def database_file(data_dir: Path, name: str) -> Path:
    """Where trytond's SQLite backend keeps database ``name``."""
    return data_dir / f"{name}.sqlite"


def create_database(config_file: Path, data_dir: Path, name: str) -> Path:
    """Create database ``name`` and activate MODULES with trytond-admin (the slow part)."""
    path = database_file(data_dir, name)
    sqlite3.connect(path).close()
    password_file = data_dir / f"{name}.password"
    password_file.write_text(ADMIN_PASSWORD + "\n")
    try:
        run_python_module(
            "trytond.cli.admin",
            "--config",
            str(config_file),
            "--database",
            name,
            "--update",
            *MODULES,
            "--all",
            "--activate-dependencies",
            "--email",
            f"{ADMIN_LOGIN}@example.com",
            env={**os.environ, "TRYTONPASSFILE": str(password_file)},
        )
    finally:
        password_file.unlink()
    return path


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


def read_sandbox_facts(path: Path) -> SandboxFacts:
    """The REST key and company id that provisioning left in the database."""
    with closing(sqlite3.connect(path)) as connection:
        (api_key,) = connection.execute(
            "SELECT key FROM res_user_application"
            " WHERE application = 'rest' AND state = 'validated' ORDER BY id LIMIT 1"
        ).fetchone()
        (company_id,) = connection.execute(
            "SELECT id FROM company_company ORDER BY id LIMIT 1"
        ).fetchone()
    return SandboxFacts(api_key=api_key, company_id=company_id)
