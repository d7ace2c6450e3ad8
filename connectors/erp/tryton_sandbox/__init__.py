"""A real Tryton 8 ERP for tests and demos: provisioning, copies and a server.

On SQLite by default (a cached template file, copies beside it, one gunicorn process answering
one request at a time); on PostgreSQL as production runs it (a cached template database, copies
made from it, gunicorn's worker processes and trytond-worker)::

    with postgres_sandbox(work_dir) as database:
        async with TrytonServer(database, processes=4, queue_worker=True) as erp:
            ...
"""

from connectors.erp.tryton_sandbox.database import SandboxDatabase, copy_database
from connectors.erp.tryton_sandbox.info import TrytonSandboxInfo
from connectors.erp.tryton_sandbox.postgres import DEFAULT_POSTGRES_URI
from connectors.erp.tryton_sandbox.provisioning import (
    ensure_postgres_template,
    ensure_template,
    postgres_sandbox,
)
from connectors.erp.tryton_sandbox.server import TrytonServer

__all__ = [
    "DEFAULT_POSTGRES_URI",
    "SandboxDatabase",
    "TrytonSandboxInfo",
    "TrytonServer",
    "copy_database",
    "ensure_postgres_template",
    "ensure_template",
    "postgres_sandbox",
]
