"""The settings read TILLSYNC_* variables, and never show a secret."""

import pytest

from domain.settings import Settings, UnknownCustomer

SECRETS = {
    "TILLSYNC_ERP_API_KEY": "erp-key-0f9a",
    "TILLSYNC_ERP_RPC_PASSWORD": "rpc-password-77c1",
    "TILLSYNC_STORE_SECRETS": '{"S001": "till-secret-5e2b"}',
}


def test_no_secret_shows_in_the_settings_repr_or_str(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)

    settings = Settings()
    shown = repr(settings) + str(settings) + repr(settings.model_dump())

    assert settings.erp_api_key.get_secret_value() == SECRETS["TILLSYNC_ERP_API_KEY"]
    for value in ("erp-key-0f9a", "rpc-password-77c1", "till-secret-5e2b"):
        assert value not in shown


@pytest.mark.parametrize("mode", list(UnknownCustomer))
def test_what_a_sale_does_with_an_unknown_customer_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, mode: UnknownCustomer
) -> None:
    monkeypatch.setenv("TILLSYNC_UNKNOWN_CUSTOMER", mode.value)

    assert Settings().unknown_customer is mode
