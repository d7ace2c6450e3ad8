"""The phases of ``python -m benchmarks.pace``: naive baseline, in-memory ERP, sandbox Tryton,
backlog and worker RSS, and the table of targets."""
