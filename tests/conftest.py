from tests.codec_keys import configure_test_codec

configure_test_codec()

pytest_plugins = [
    "tests.store_fixtures",
    "tests.erp_fixtures",
    "tests.temporal_fixtures",
    "tests.till_receiver",
]
