"""``tillsync dev``'s pieces together: the dev server's UI is told where the codec server is
(``--ui-codec-endpoint``), and a page from that UI's origin decodes through it over loopback."""

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads

from connectors.temporal import EncryptionCodec, KeyRing
from domain.settings import Settings
from starter.codec_server.server import serve_codec_server
from starter.devstack.dev_stack import codec_endpoint, dev_codec_settings
from starter.devstack.temporal_server import TemporalDevServer
from tests.codec_keys import TEST_CODEC_KEYS, codec_converter

pytestmark = pytest.mark.temporal

TICKET = Payload(metadata={"encoding": b"json/plain"}, data=b'{"transaction_id":"S1-T1-7"}')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def ui_settings(http: httpx.AsyncClient, ui_port: int) -> dict[str, object]:
    async with asyncio.timeout(30):
        while True:
            try:
                response = await http.get(f"http://127.0.0.1:{ui_port}/api/v1/settings")
                if response.status_code == 200:
                    settings: dict[str, object] = response.json()
                    return settings
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


async def test_the_dev_ui_decodes_through_the_codec_server(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        temporal_ui_port=free_port(),
        codec_server_port=free_port(),
        codec_server_tokens=SecretStr(""),
    )
    codec_settings = dev_codec_settings(settings)
    assert codec_settings is not None
    endpoint = codec_endpoint(codec_settings)
    temporal = TemporalDevServer(
        tmp_path / "temporal.db",
        data_converter=codec_converter(),
        port=free_port(),
        ui_port=settings.temporal_ui_port,
        ui_codec_endpoint=endpoint,
    )
    sealed = await EncryptionCodec(KeyRing.parse(TEST_CODEC_KEYS)).encode([TICKET])
    body = json_format.MessageToDict(Payloads(payloads=sealed))
    ui_origin = f"http://localhost:{settings.temporal_ui_port}"
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_codec_server(codec_settings, stop))
    try:
        async with temporal, httpx.AsyncClient() as http:
            await temporal.start()
            ui = await ui_settings(http, settings.temporal_ui_port)
            from_ui = await http.post(
                f"{endpoint}/decode",
                json=body,
                headers={"Origin": ui_origin, "X-Namespace": "default"},
            )
            from_elsewhere = await http.post(
                f"{endpoint}/decode", json=body, headers={"Origin": "http://evil.example"}
            )
    finally:
        stop.set()
        await serving

    ui_codec = ui["Codec"]
    assert isinstance(ui_codec, dict) and ui_codec["Endpoint"] == endpoint
    assert from_ui.status_code == 200, from_ui.text
    assert from_ui.headers["access-control-allow-origin"] == ui_origin
    assert json_format.ParseDict(from_ui.json(), Payloads()).payloads[0] == TICKET
    assert from_elsewhere.status_code == 403
