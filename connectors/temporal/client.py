"""The Temporal client every tillsync process opens: the settings' address and namespace, and
the shared data converter (its codec encrypts payloads)."""

from temporalio.client import Client
from temporalio.runtime import Runtime

from connectors.temporal.converter import data_converter
from domain.settings import Settings


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client; the worker's carries a ``runtime`` exporting the SDK's metrics."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
    )
