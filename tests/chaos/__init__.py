"""The chaos suite (`make chaos`, `make chaos-short`): a seeded store day through the embedded
stack while faults are injected on a seeded schedule, then the invariant checked against the
ERP's own books (docs/chaos.md).

Pure parts (unit-tested): day.py (the tickets), malformed.py, schedule.py, invariant.py.
The stack and the faults: stack.py, proxy.py, worker.py, faults.py, load.py, erp_books.py,
store_view.py; run.py drives a run, __main__.py is its command line.
"""
