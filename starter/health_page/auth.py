"""Who is asking: operators' own credentials (HTTP Basic against scrypt hashes) and roles, from
configuration; and the form token every POST must carry.

Browsers send Basic credentials with any request to the site, a forged cross-site form
included, so a POST also needs a token only the page hands out: an HMAC of the operator's name
under a secret (configured, or drawn per process)."""

import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, ValidationError

from domain.exception_routing import OperatorRole, visible_owners
from domain.outcomes import ExceptionOwner
from domain.settings import Settings
from starter.health_page.passwords import verify_password


class Operator(BaseModel):
    name: str
    roles: set[OperatorRole]

    @property
    def owners(self) -> set[ExceptionOwner]:
        """Whose exceptions this operator sees and acts on."""
        return visible_owners(self.roles)


class _Account(BaseModel):
    password_hash: str
    roles: set[OperatorRole]


class Operators:
    def __init__(self, accounts: dict[str, _Account]) -> None:
        self._accounts = accounts

    @classmethod
    def from_settings(cls, settings: Settings) -> "Operators":
        """``TILLSYNC_HEALTH_USERS`` (JSON) and ``TILLSYNC_HEALTH_USERS_FILE``, merged."""
        raw: dict[str, Any] = {}
        if settings.health_users_file is not None:
            raw.update(json.loads(Path(settings.health_users_file).read_text()))
        if settings.health_users.get_secret_value():
            raw.update(json.loads(settings.health_users.get_secret_value()))
        try:
            return cls({name: _Account.model_validate(entry) for name, entry in raw.items()})
        except ValidationError as error:
            raise ValueError(f"operators' configuration: {error}") from None

    def __len__(self) -> int:
        return len(self._accounts)

    def authenticate(self, name: str, password: str) -> Operator | None:
        account = self._accounts.get(name)
        if account is None or not verify_password(password, account.password_hash):
            return None
        return Operator(name=name, roles=account.roles)

    def names(self) -> list[str]:
        return sorted(self._accounts)


class FormTokens:
    def __init__(self, secret: str) -> None:
        self._key = (secret or secrets.token_hex(32)).encode()

    def token_for(self, operator: Operator) -> str:
        return hmac.new(self._key, operator.name.encode(), hashlib.sha256).hexdigest()

    def check(self, operator: Operator, token: str) -> None:
        if not hmac.compare_digest(self.token_for(operator), token):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or stale form token")


_basic = HTTPBasic(auto_error=False, realm="tillsync sync health")


def current_operator(
    request: Request, credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)]
) -> Operator:
    operators: Operators = request.app.state.page.operators
    operator = (
        operators.authenticate(credentials.username, credentials.password)
        if credentials is not None
        else None
    )
    if operator is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "operators sign in with their own credentials",
            headers={"WWW-Authenticate": 'Basic realm="tillsync sync health"'},
        )
    return operator


CurrentOperator = Annotated[Operator, Depends(current_operator)]
