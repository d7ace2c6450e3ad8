"""Ids of ``workflow.patched`` branches: runs started before a change replay the old path.

A run asks for every patch once, at its start (``taken``), before any local activity: a patch
asked later, after local activities, may sit in another workflow task of the history than the
code that asks for it on replay, which Temporal reports as nondeterminism (seen as a flaky
failure under load). A sale's run started by this release's starter asks for none: its input
names the bundle it takes (``taken``).

Remove a branch (and its id here) only once no run that started before it can still be open
or replayed, and its recorded histories are retired from tests/replay.
"""

from temporalio import workflow

HOT_PATH = "hot-path"
"""Pace: the stock (reserve) and the books (post, pay, commit) park apart, and a failure in
the books keeps the reservation; store steps and the posting plan run as local activities;
SyncStage is written to the search attributes only where a run waits or ends."""

INTERNAL_ERROR_PARKS = "internal-error-parks"
"""An unexpected (non-Temporal) error raised by the workflow's own code while it runs a stage
parks the run as ``internal_error`` (what the stage reserved is released) instead of failing
the workflow task until a deploy; ``retry`` re-runs the stage."""

SHIELDED_COMPENSATIONS = "shielded-compensations"
"""A cancel that arrives while compensations run (a failed attempt's undo, or abandoned books'
undo) no longer skips the older ones: each runs to the end, then the cancel takes effect."""

FAILURE_CLEARED_ON_SUCCESS = "failure-cleared-on-success"
"""A stage that succeeds after a retry clears the run's failure (``status``) and its
ExceptionKind search attribute: the run no longer shows what it recovered from."""

UNKNOWN_CUSTOMER_RECORDED = "unknown-customer-recorded"
"""A reservation booked to the cash-sale customer because the ERP does not know the ticket's
customer (TILLSYNC_UNKNOWN_CUSTOMER=cash_sale) opens an unknown_customer exception."""

ESCAPED_IDS = "escaped-ids"
"""Issue 10: ERP references follow the ticket's unambiguous id (domain/ids.py); runs started
before keep the references of the old ``pos-<store>-<terminal>-<transaction>`` format."""


STOCK_ISSUED_AT_POSTING = "stock-issued-at-posting"
"""Pace: in daily posting mode a sale that returns nothing is done once its stock is reserved;
the day's consolidated posting issues the reserved stock with the money, batched, off the hot
path (a return or exchange still books and issues its own documents)."""

BUNDLED = (
    HOT_PATH,
    INTERNAL_ERROR_PARKS,
    SHIELDED_COMPENSATIONS,
    FAILURE_CLEARED_ON_SUCCESS,
    UNKNOWN_CUSTOMER_RECORDED,
    ESCAPED_IDS,
    STOCK_ISSUED_AT_POSTING,
)
"""The patches a run that starts now takes under one marker, BUNDLE (a run started before it
asks for each; none started before STOCK_ISSUED_AT_POSTING, which came with BUNDLE)."""

BUNDLE = "patches-2026-12"
"""Pace: every patch a run asks for records a marker and upserts Temporal's
TemporalChangeVersion search attribute (an event and a visibility write each); a run started
since this one asks once for all of BUNDLED. Runs started before ask for each, as they did."""

STOCK_TOLD_WHEN_RELEASED = "stock-told-when-released"
"""Issue 12: a released reservation (a failed attempt's undo, a cancel) tells the store's
available-to-sell publisher, as a reservation does; and books abandoned after the goods were
issued journal those goods (the stock ledger's ``abandoned`` cause), so the ledger still
explains the ERP's stock. One id for both: each patch asked costs every run a marker."""

SECOND_BUNDLED = (STOCK_TOLD_WHEN_RELEASED,)
SECOND_BUNDLE = "patches-2026-12-b"
"""A run started since this one asks once for every patch (BUNDLED and SECOND_BUNDLED); one
started under BUNDLE takes BUNDLED and asks for each of SECOND_BUNDLED."""

ONE_STEP_ADMISSION = "one-step-admission"
"""Pace: the claim, the mapping and the posting plan are one local activity (ticket.admit),
and SyncStage moves to ``posting`` only when a run waits on the ERP's books (per-transaction
mode, returns): two markers and a search-attribute write fewer a ticket."""

SLOW_STEPS_LEAVE_THE_TASK = "slow-steps-leave-the-task"
"""Chaos (issue 14): a local step (reservation, store write, posting plan) is tried once inside
the workflow task, for 5 s at most; slower or failed, it runs again as an activity of its own,
which retries (workflows.activity_calls.local_once_then). A slow or failing ERP or store no
longer holds workflow tasks past their timeout, which another worker then ran again, steps and
all."""

STOCK_TOLD_WHEN_DISPATCH_UNDONE = "stock-told-when-dispatch-undone"
"""Issue 12: a transfer dispatch undone by its compensation (a failed attempt's undo, a cancel)
tells the sending store's available-to-sell publisher, as a released reservation does
(workflows/stock_release.py). A transfer dispatch asks for patches since this one."""

THIRD_BUNDLED = (ONE_STEP_ADMISSION, SLOW_STEPS_LEAVE_THE_TASK, STOCK_TOLD_WHEN_DISPATCH_UNDONE)
THIRD_BUNDLE = "patches-2026-12-c"

EXPRESS_ADMISSION = "express-admission"
"""Pace (issue 9): a sale's admission goes on to reserve its stock and, in daily mode, to
journal it, in the same local activity (ticket.admit_and_reserve) when the saga would do the
same next: two local activities, their markers and round trips through the workflow thread
fewer a sale. What the admission did not do, the saga's steps do as before."""

FOURTH_BUNDLED = (EXPRESS_ADMISSION,)
FOURTH_BUNDLE = "patches-2026-12-d"

STAGE_WHERE_WAITED = "stage-where-waited"
"""Pace (issue 9): SyncStage ``reserving`` is written to the search attributes only when the
run waits for the ERP's reservation itself. After a reservation the admission made, the
upsert landed in the same workflow task as the next one (``posted``): nobody could see it."""

CANCELLED_KIND = "cancelled-kind"
"""A run cancelled while a stage waited on the ERP parks with ExceptionKind ``cancelled`` (and
what a retry or an abandon then does), where it said ``erp_rejected: Cancelled``."""

FIFTH_BUNDLED = (STAGE_WHERE_WAITED, CANCELLED_KIND)
FIFTH_BUNDLE = "patches-2026-12-e"

WOKEN_BY_ORIGINAL = "woken-by-original"
"""A return waiting for its original sale also wakes when the sale's journal signals it
(``original_posted``), not only on its backing-off rechecks (workflows/original_wait.py)."""

SIXTH_BUNDLED = (WOKEN_BY_ORIGINAL,)
SIXTH_BUNDLE = "patches-2026-12-f"

BUNDLES = (
    (BUNDLE, BUNDLED),
    (SECOND_BUNDLE, SECOND_BUNDLED),
    (THIRD_BUNDLE, THIRD_BUNDLED),
    (FOURTH_BUNDLE, FOURTH_BUNDLED),
    (FIFTH_BUNDLE, FIFTH_BUNDLED),
    (SIXTH_BUNDLE, SIXTH_BUNDLED),
)
"""Oldest first. A run records the marker of the newest bundle when it starts and takes every
patch up to it; one started under an older bundle takes that bundle's patches and those before,
and asks for each later patch on its own; one started before any bundle asks for each."""

NEWEST_BUNDLE = BUNDLES[-1][0]
"""What a starter puts in the runs it starts (Submission.patch_bundle)."""

ALL = tuple(patch for _, bundled in BUNDLES for patch in bundled)


def taken(declared: str | None = None) -> frozenset[str]:
    """The patches this run takes: all of them for a run that starts now, none for one that
    started before them (called once, first thing in the run). On replay, a bundle's marker
    the history lacks answers False and records nothing, so older runs ask as they did.

    A run whose input names a bundle this code knows (``declared``: the starter's
    NEWEST_BUNDLE) takes it without a marker: its input is in its history, so every replay
    decides the same, and the run saves the marker's event and its TemporalChangeVersion
    upsert (a visibility write). Roll out workers before the starters that name a new bundle:
    a worker that does not know the input's field would take the run by markers."""
    known = [name for name, _ in BUNDLES]
    if declared in known:
        newest = known.index(declared)
    else:
        for newest in range(len(BUNDLES) - 1, -1, -1):
            if workflow.patched(BUNDLES[newest][0]):
                break
        else:
            newest = -1
    whole = [patch for _, bundled in BUNDLES[: newest + 1] for patch in bundled]
    asked = [patch for _, bundled in BUNDLES[newest + 1 :] for patch in bundled]
    return frozenset([*whole, *(patch for patch in asked if workflow.patched(patch))])
