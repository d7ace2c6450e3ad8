"""Workflow ids and ERP references: one id per ticket, whatever characters its ids hold."""

from hypothesis import given
from hypothesis import strategies as st

from domain.ids import (
    erp_reference,
    is_ticket_reference,
    legacy_workflow_id,
    transaction_workflow_id,
    workflow_of_reference,
)

PART = st.text(alphabet=st.sampled_from("ab-:~%2T"), min_size=1, max_size=6)


def test_the_ids_that_used_to_collide_no_longer_do() -> None:
    assert transaction_workflow_id("S001", "X-T1", "9") != transaction_workflow_id(
        "S001-X", "T1", "9"
    )
    assert transaction_workflow_id("S001", "X:T1", "9") != transaction_workflow_id(
        "S001:X", "T1", "9"
    )
    second_attempt = erp_reference(transaction_workflow_id("S1", "T1", "X"), 2)
    assert second_attempt != erp_reference(transaction_workflow_id("S1", "T1", "X~2"), 1)


def test_everyday_ids_read_as_they_are() -> None:
    assert transaction_workflow_id("S001", "T1", "S001-T1-001001") == "pos:S001:T1:S001-T1-001001"


@given(PART, PART, PART, PART, PART, PART)
def test_two_tickets_share_an_id_only_when_they_are_the_same_ticket(
    store: str, terminal: str, transaction: str, store2: str, terminal2: str, transaction2: str
) -> None:
    same = (store, terminal, transaction) == (store2, terminal2, transaction2)
    ids = (
        transaction_workflow_id(store, terminal, transaction),
        transaction_workflow_id(store2, terminal2, transaction2),
    )
    assert (ids[0] == ids[1]) is same


@given(PART, PART, PART, st.integers(min_value=1, max_value=1000))
def test_a_reference_names_its_run_and_no_other_runs_attempt(
    store: str, terminal: str, transaction: str, attempt: int
) -> None:
    workflow_id = transaction_workflow_id(store, terminal, transaction)
    reference = erp_reference(workflow_id, attempt)
    assert workflow_of_reference(reference) == workflow_id
    assert (reference == workflow_id) is (attempt == 1)


@given(PART, PART, PART, st.integers(min_value=1, max_value=1000))
def test_every_tickets_reference_reads_as_a_tickets_in_either_format(
    store: str, terminal: str, transaction: str, attempt: int
) -> None:
    for workflow_id in (
        transaction_workflow_id(store, terminal, transaction),
        legacy_workflow_id(store, terminal, transaction),
    ):
        assert is_ticket_reference(erp_reference(workflow_id, attempt))
    assert not is_ticket_reference(f"daily-{store}-2026-11-20")
