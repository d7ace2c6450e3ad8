"""A payload's fingerprint tells a resend of the same ticket from a different one."""

import hashlib

from domain.fingerprint import payload_hash
from tests.factories import make_sale, sale_line


def test_a_resent_ticket_has_the_same_fingerprint_and_a_changed_one_another() -> None:
    ticket = make_sale("T-1", [sale_line(1, "100001", "2", "3.60")])
    resent = ticket.model_validate_json(ticket.model_dump_json())
    changed = make_sale("T-1", [sale_line(1, "100001", "3", "3.60")])

    assert payload_hash(resent) == payload_hash(ticket)
    assert payload_hash(changed) != payload_hash(ticket)
    assert payload_hash(ticket) == hashlib.sha256(ticket.model_dump_json().encode()).hexdigest()
