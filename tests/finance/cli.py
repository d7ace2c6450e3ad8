"""Run the ``tillsync`` command line against the finance test stack, as finance would."""

import asyncio
import sys
from pathlib import Path

from temporalio.client import Client

from domain.settings import Settings
from tests.erp_fixtures import sandbox_environment

REPOSITORY = Path(__file__).parents[2]


async def tillsync(settings: Settings, client: Client, *args: str) -> tuple[int, str]:
    """Exit code and standard output of ``tillsync ARGS``."""
    code, stdout, stderr = await tillsync_run(settings, client, *args)
    if code not in (0, 1):
        raise AssertionError(f"tillsync {' '.join(args)} failed: {stderr}")
    return code, stdout


async def tillsync_run(settings: Settings, client: Client, *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``tillsync ARGS``, whatever the code."""
    environment = sandbox_environment(
        settings,
        client.service_client.config.target_host,
        TILLSYNC_TASK_QUEUE=settings.task_queue,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli.app",
        *args,
        cwd=REPOSITORY,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()
