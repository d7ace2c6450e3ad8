"""Run the ``tillsync`` command line against the finance test stack, as finance would."""

import asyncio
import os
import sys
from pathlib import Path

from temporalio.client import Client

from domain.settings import Settings

REPOSITORY = Path(__file__).parents[2]


async def tillsync(settings: Settings, client: Client, *args: str) -> tuple[int, str]:
    """Exit code and standard output of ``tillsync ARGS``."""
    code, stdout, stderr = await tillsync_run(settings, client, *args)
    if code not in (0, 1):
        raise AssertionError(f"tillsync {' '.join(args)} failed: {stderr}")
    return code, stdout


async def tillsync_run(settings: Settings, client: Client, *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``tillsync ARGS``, whatever the code."""
    environment = {
        **os.environ,
        "TILLSYNC_TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TILLSYNC_TASK_QUEUE": settings.task_queue,
        "TILLSYNC_STORE_URL": settings.resolved_store_url,
        "TILLSYNC_DATA_DIR": str(settings.data_dir),
        "TILLSYNC_ERP_URL": settings.erp_url,
        "TILLSYNC_ERP_DATABASE": settings.erp_database,
        "TILLSYNC_ERP_API_KEY": settings.erp_api_key.get_secret_value(),
        "TILLSYNC_ERP_COMPANY_ID": str(settings.erp_company_id),
        "TILLSYNC_ERP_POSTING_MODE": settings.erp_posting_mode.value,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        *args,
        cwd=REPOSITORY,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()
