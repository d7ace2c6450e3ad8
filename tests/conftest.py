pytest_plugins = ["tests.store_fixtures", "tests.erp_fixtures", "tests.temporal_fixtures"]
