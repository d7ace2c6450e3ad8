"""Serve the codec server alone (``tillsync codec-server``) or inside ``tillsync dev``."""

import asyncio

import uvicorn
from fastapi import FastAPI

from connectors.temporal import CodecNotConfigured
from connectors.temporal.converter import codec
from domain.settings import Settings
from starter.codec_server.access import CodecAccess
from starter.codec_server.app import create_codec_app
from starter.serving import serve_until


def build_codec_app(settings: Settings) -> FastAPI:
    payload_codec = codec(settings)
    if payload_codec is None:
        raise CodecNotConfigured("TILLSYNC_CODEC=off: payloads are in clear, nothing to decode")
    return create_codec_app(
        payload_codec,
        CodecAccess.from_settings(settings),
        settings.temporal_namespace,
        settings.codec_server_max_body_bytes,
    )


def _config(settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        build_codec_app(settings),
        host=settings.codec_server_host,
        port=settings.codec_server_port,
        log_level="warning",
        access_log=False,
    )


async def serve_codec_server(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Serve until ``stop`` is set (or, without one, until SIGINT or SIGTERM)."""
    if stop is None:
        await uvicorn.Server(_config(settings)).serve()
        return
    await serve_until(_config(settings), stop)
