"""How tillsync holds what an ERP calls its documents: opaque strings.

ERPs name their documents differently (Tryton and Odoo by integer ids, ERPNext and Fulfil by
names and numbers), so the contract keeps every ERP id as the connector gave it, a string that
only that connector reads. Records of the releases before held Tryton's integer ids: a run
recorded then (a Temporal history, a payload) still decodes, its ids turned into their
string form.
"""

from typing import Annotated

from pydantic import BeforeValidator, Field


def _from_an_integer_id(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


ErpId = Annotated[
    str,
    BeforeValidator(_from_an_integer_id),
    Field(
        min_length=1, max_length=64, description="an ERP document's id, as its connector names it"
    ),
]
"""An ERP document's id; an integer of an older record is read as its string form."""
