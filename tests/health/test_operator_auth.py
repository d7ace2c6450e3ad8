"""Operators of the sync-health page: scrypt password hashes, accounts from configuration,
and the form token a POST must carry."""

import json
from pathlib import Path

import pytest
from fastapi import HTTPException

from domain.exception_routing import OperatorRole
from domain.outcomes import ExceptionOwner
from domain.settings import Settings
from starter.health_page.auth import FormTokens, Operator, Operators
from starter.health_page.passwords import hash_password, verify_password


def test_a_hash_verifies_its_password_only() -> None:
    encoded = hash_password("s3cret pass")
    assert encoded.startswith("scrypt$16384$8$1$")
    assert verify_password("s3cret pass", encoded)
    assert not verify_password("s3cret pasS", encoded)
    assert hash_password("s3cret pass") != encoded, "a fresh salt each time"
    assert not verify_password("s3cret pass", "md5$abc")
    assert not verify_password("s3cret pass", "scrypt$x$8$1$AAAA$AAAA")


def test_operators_come_from_the_file_and_the_environment(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps({"sam": {"password_hash": hash_password("pw-sam"), "roles": ["store_ops"]}})
    )
    inline = {"fiona": {"password_hash": hash_password("pw-fiona"), "roles": ["finance"]}}
    operators = Operators.from_settings(
        Settings(health_users_file=users, health_users=json.dumps(inline))
    )

    assert operators.names() == ["fiona", "sam"]
    sam = operators.authenticate("sam", "pw-sam")
    assert sam is not None and sam.owners == {ExceptionOwner.STORE_OPS}
    assert operators.authenticate("sam", "pw-fiona") is None
    assert operators.authenticate("nobody", "pw-sam") is None


def test_an_unknown_role_is_a_configuration_error() -> None:
    bad = json.dumps({"eve": {"password_hash": hash_password("x"), "roles": ["root"]}})
    with pytest.raises(ValueError, match="operators' configuration"):
        Operators.from_settings(Settings(health_users=bad))


def test_a_form_token_belongs_to_its_operator_and_secret() -> None:
    tokens = FormTokens("a secret")
    sam = Operator(name="sam", roles={OperatorRole.STORE_OPS})
    fiona = Operator(name="fiona", roles={OperatorRole.FINANCE})
    tokens.check(sam, tokens.token_for(sam))
    for forged in (tokens.token_for(fiona), FormTokens("another").token_for(sam), ""):
        with pytest.raises(HTTPException) as refused:
            tokens.check(sam, forged)
        assert refused.value.status_code == 403
