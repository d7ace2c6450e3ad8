"""The embedded stack's operator: with none configured, ``tillsync dev`` makes one admin
(a random password, kept under the data folder) so the page opens on a fresh machine."""

import json
import os
import secrets
from pathlib import Path

from domain.settings import Settings
from starter.health_page.passwords import hash_password

DEV_OPERATOR = "admin"


def dev_password_file(settings: Settings) -> Path:
    return settings.data_dir / "health-admin-password"


def dev_users_file(settings: Settings) -> Path:
    return settings.data_dir / "health-users.json"


def with_dev_operator(settings: Settings) -> tuple[Settings, str]:
    """``settings`` with operators (the configured ones, else the dev admin), and a line
    saying how to sign in."""
    if settings.health_users_file or settings.health_users.get_secret_value():
        return settings, "sign in with your configured credentials"
    users_file = dev_users_file(settings)
    password_file = dev_password_file(settings)
    if not users_file.exists() or not password_file.exists():
        password = secrets.token_urlsafe(12)
        password_file.write_text(password + "\n")
        os.chmod(password_file, 0o600)
        users = {DEV_OPERATOR: {"password_hash": hash_password(password), "roles": ["admin"]}}
        users_file.write_text(json.dumps(users, indent=2))
    configured = settings.model_copy(update={"health_users_file": users_file})
    return configured, f"operator {DEV_OPERATOR}, password in {password_file}"
