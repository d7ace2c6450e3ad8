"""Adapters to the outside: ERPs (connectors.erp) and POS payload formats (connectors.pos)."""
