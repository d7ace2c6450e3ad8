"""Ids of ``workflow.patched`` branches: runs started before a change replay the old path.

Remove a branch (and its id here) only once no run that started before it can still be open
or replayed, and its recorded histories are retired from tests/replay.
"""

LOCAL_STORE_STEPS = "local-store-steps"
"""Store steps and the posting plan run as local activities; SyncStage is written to the
search attributes only for the stages an operator looks for (not each step on the way)."""
