"""``tillsync codec-server``: serve the codec server until Ctrl-C."""

import argparse
from typing import Any

from domain.settings import Settings


def add_codec_commands(commands: "argparse._SubParsersAction[Any]") -> None:
    server = commands.add_parser(
        "codec-server",
        help="decrypt payloads for the Temporal UI and CLI (remote codec protocol) until Ctrl-C",
    )
    server.add_argument("--host", help="default: TILLSYNC_CODEC_SERVER_HOST")
    server.add_argument("--port", type=int, help="default: TILLSYNC_CODEC_SERVER_PORT")
    server.set_defaults(handler=_codec_server)


async def _codec_server(args: argparse.Namespace, settings: Settings) -> int:
    from starter.codec_server.server import build_codec_app, serve_codec_server

    update = {"codec_server_host": args.host, "codec_server_port": args.port}
    settings = settings.model_copy(update={k: v for k, v in update.items() if v is not None})
    build_codec_app(settings)  # refuses a missing key or an open server before listening
    print(
        f"codec server: http://{settings.codec_server_host}:{settings.codec_server_port}"
        f" (UI origins: {settings.codec_server_origins})",
        flush=True,
    )
    await serve_codec_server(settings)
    return 0
