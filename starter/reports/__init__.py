"""Reports read from the store and the ERP, rendered for people (tables, HTML, CSV)."""
