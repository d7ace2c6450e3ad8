"""ERP connectors: one ErpConnector protocol, one module per ERP."""
