"""Dedupe holds under concurrent workers: one claim per transaction, the rest are duplicates."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import Engine

from store.claims import ClaimKey, claim_transaction, count_duplicates, find_claim, is_claimed
from store.db import session_scope

KEY = ClaimKey("S001", "T1", "TX-42")
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _claim(engine: Engine, submission_id: str) -> bool:
    with session_scope(engine) as session:
        return claim_transaction(
            session,
            KEY,
            workflow_id="pos-S001-T1-TX-42",
            submission_id=submission_id,
            payload_hash="h",
            now=NOW,
        ).is_owner


def test_same_submission_reclaims_a_new_one_is_a_duplicate(store_engine: Engine) -> None:
    assert _claim(store_engine, "first")
    assert _claim(store_engine, "first"), "a reset or retry of the same submission keeps it"
    assert not _claim(store_engine, "second")
    with session_scope(store_engine) as session:
        claim = find_claim(session, KEY)
        assert claim is not None and claim.submission_id == "first"
        assert count_duplicates(session, KEY) == 1


def test_is_claimed_answers_for_its_key_alone(store_engine: Engine) -> None:
    other = ClaimKey(KEY.store_id, KEY.terminal_id, f"{KEY.transaction_id}-other")
    with session_scope(store_engine) as session:
        assert not is_claimed(session, KEY)
    assert _claim(store_engine, "first")
    with session_scope(store_engine) as session:
        assert is_claimed(session, KEY) and not is_claimed(session, other)


def test_concurrent_submissions_claim_exactly_once(store_engine: Engine) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        owners = list(pool.map(lambda n: _claim(store_engine, f"sub-{n}"), range(16)))
    assert owners.count(True) == 1
    with session_scope(store_engine) as session:
        assert count_duplicates(session, KEY) == 15
