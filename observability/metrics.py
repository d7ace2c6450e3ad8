"""tillsync's own metrics, counted where things happen (in the process that saw them).

Labels stay bounded: a store, an outcome, an operation, a reason; never a ticket. What the
store's tables already know (open exceptions, lag, gaps) is read at scrape time instead
(observability/store_gauges.py), so it is right in every process and after a restart.
"""

from prometheus_client import Counter, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)

TICKETS = Counter(
    "tillsync_tickets",
    "Tickets by how their run ended (parked: each time a run parks)",
    ["store", "outcome"],
)
STAGE_LATENCY = Histogram(
    "tillsync_stage_latency_seconds",
    "From the ticket's submission to its stock reserved in the ERP, and to posted",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
ERP_CALL_SECONDS = Histogram(
    "tillsync_erp_call_seconds",
    "ERP calls by connector operation (a batch is one call)",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
ERP_CALL_ERRORS = Counter(
    "tillsync_erp_call_errors",
    "ERP calls that failed, by operation and error (unavailable, refused, unexpected)",
    ["operation", "error"],
)
INGEST_REQUESTS = Counter(
    "tillsync_ingest_requests",
    "HTTP requests to the POS ingest by route and status",
    ["route", "status"],
)
INGEST_REJECTS = Counter(
    "tillsync_ingest_rejects",
    "Records the ingest rejected (written to the rejects file), by reason",
    ["reason"],
)
