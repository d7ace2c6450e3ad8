"""The payload key the test suite runs with (a test fixture, not a secret): every Temporal
client and worker in the tests encrypts with it, as production does with its own keys.
Histories recorded from a test session (tests/replay/recording.py) are encrypted with it, so
the replay test keeps it configured."""

import os

from temporalio.converter import DataConverter

from connectors.temporal import data_converter
from domain.settings import Settings

TEST_KEY_ID = "tests-1"
TEST_CODEC_KEYS = f"{TEST_KEY_ID}:aftFIiMFIGxlTgpkrDPj2HNve00tQU2r8N5ZvZ9+75M="
OTHER_KEY_LINE = "tests-2:0Ue4sShm/BC/RPKf7+6aedG6wBRdpWuSYuF56nCIz6w="
"""A second key, for rotation tests."""


def configure_test_codec() -> None:
    """The suite's environment: the test key, whatever the developer's shell has set."""
    os.environ["TILLSYNC_CODEC_KEYS"] = TEST_CODEC_KEYS
    for name in ("TILLSYNC_CODEC", "TILLSYNC_CODEC_KEY_ID", "TILLSYNC_CODEC_KEYS_FILE"):
        os.environ.pop(name, None)


def codec_converter() -> DataConverter:
    """The data converter the suite's clients and workers use (the test key)."""
    return data_converter(Settings())
