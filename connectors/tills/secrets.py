"""Each store's shared secret: it signs what the store's tills send the ingest, and what
tillsync sends the store's webhook."""

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from domain.settings import Settings


class StoreSecrets:
    """The secret of each store allowed to post. Its repr never shows a secret."""

    def __init__(self, secrets: Mapping[str, SecretStr]) -> None:
        self._secrets = dict(secrets)

    @classmethod
    def from_settings(cls, settings: Settings) -> "StoreSecrets":
        """Secrets from the JSON file and from the JSON setting (the setting wins)."""
        merged: dict[str, SecretStr] = {}
        if settings.ingest_secrets_file:
            merged |= _parse(settings.ingest_secrets_file.read_text(), settings.ingest_secrets_file)
        if settings.store_secrets.get_secret_value():
            merged |= _parse(settings.store_secrets.get_secret_value(), "TILLSYNC_STORE_SECRETS")
        return cls(merged)

    @property
    def stores(self) -> list[str]:
        return sorted(self._secrets)

    def secret_of(self, store_id: str) -> SecretStr | None:
        return self._secrets.get(store_id)

    def __repr__(self) -> str:
        return f"StoreSecrets(stores={self.stores})"


def _parse(text: str, source: Path | str) -> dict[str, SecretStr]:
    try:
        document = json.loads(text)
    except ValueError:
        raise ValueError(f"{source}: store secrets must be a JSON object") from None
    if not isinstance(document, dict) or not all(
        isinstance(key, str) and isinstance(value, str) and value for key, value in document.items()
    ):
        raise ValueError(f'{source}: expected {{"store_id": "secret", ...}} with non-empty secrets')
    return {store_id: SecretStr(secret) for store_id, secret in document.items()}
