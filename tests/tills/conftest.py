"""The store of a tills test module: the demo's mappings, at the module's ``settings``."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from domain.settings import Settings
from tests.sample_data import open_example_store


@pytest.fixture(scope="module")
def engine(settings: Settings) -> Iterator[Engine]:
    with open_example_store(settings.resolved_store_url) as engine:
        yield engine
