"""``tillsync codec-server``: serve the codec server until Ctrl-C."""

from typing import Annotated

import typer

from domain.settings import Settings
from starter.cli.console import finish


def register(app: typer.Typer) -> None:
    app.command(
        "codec-server",
        help="decrypt payloads for the Temporal UI and CLI (remote codec protocol) until Ctrl-C",
    )(codec_server)


def codec_server(
    host: Annotated[str | None, typer.Option(help="default: TILLSYNC_CODEC_SERVER_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: TILLSYNC_CODEC_SERVER_PORT")] = None,
) -> None:
    finish(serve(Settings(), host, port))


async def serve(settings: Settings, host: str | None, port: int | None) -> int:
    from starter.codec_server.server import build_codec_app, serve_codec_server

    update = {"codec_server_host": host, "codec_server_port": port}
    settings = settings.model_copy(update={k: v for k, v in update.items() if v is not None})
    build_codec_app(settings)  # refuses a missing key or an open server before listening
    print(
        f"codec server: http://{settings.codec_server_host}:{settings.codec_server_port}"
        f" (UI origins: {settings.codec_server_origins})",
        flush=True,
    )
    await serve_codec_server(settings)
    return 0
