"""A real Tryton 8 ERP on SQLite for tests and demos: provisioning, copies and a server."""

from connectors.erp.tryton_sandbox.database import copy_database
from connectors.erp.tryton_sandbox.info import TrytonSandboxInfo
from connectors.erp.tryton_sandbox.provisioning import ensure_template
from connectors.erp.tryton_sandbox.server import TrytonServer

__all__ = ["TrytonSandboxInfo", "TrytonServer", "copy_database", "ensure_template"]
