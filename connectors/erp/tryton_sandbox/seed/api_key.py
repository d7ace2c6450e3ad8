"""The REST API key the connector authenticates with."""

from proteus import Model
from proteus.config import get_config

from connectors.erp.tryton.states import VALIDATED


def create_rest_key() -> str:
    """A validated ``rest`` application key for the admin user."""
    UserApplication = Model.get("res.user.application")
    application = UserApplication(user=get_config().user, application="rest")
    application.save()
    assert application.state == VALIDATED
    key: str = application.key
    return key
