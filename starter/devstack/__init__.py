"""The embedded stack on one machine: the Temporal dev server, the sandbox ERP, a worker."""
