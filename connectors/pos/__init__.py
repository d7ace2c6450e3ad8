"""connectors/pos."""
