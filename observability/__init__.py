"""Sync health seen from outside: Prometheus metrics of the worker and the ingest, the gauges
read from the store at scrape time, and the periodic flags (anomalies, reconciliation)."""
