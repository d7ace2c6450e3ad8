"""The names Tryton 8 gives the states of the documents the connector reads and writes, once.

Sales (``sale.sale``), purchases, shipments (customer, return, supplier, internal), stock
moves, invoices, account moves and accounting periods share most of these names; each group
below says which states count for what.
"""

DRAFT = "draft"
QUOTATION = "quotation"
CONFIRMED = "confirmed"
PROCESSING = "processing"
REQUEST = "request"
STAGING = "staging"
WAITING = "waiting"
ASSIGNED = "assigned"
PACKED = "packed"
SHIPPED = "shipped"
RECEIVED = "received"
DONE = "done"
VALIDATED = "validated"
POSTED = "posted"
PAID = "paid"
CANCELLED = "cancelled"
OPEN = "open"
CLOSED = "closed"
LOCKED = "locked"

SALE_BEFORE_CONFIRMED = frozenset({DRAFT, QUOTATION})
"""A sale that can still be cancelled outright."""
SALE_TO_CONFIRM = SALE_BEFORE_CONFIRMED | {CONFIRMED}
"""A sale the reservation (re)confirms and processes."""
OPEN_SHIPMENT_STATES = frozenset({DRAFT, WAITING, ASSIGNED, PACKED})
"""A customer shipment that has not left yet: cancelling it releases its stock."""
DRAFT_INVOICE_STATES = frozenset({DRAFT, VALIDATED})
STANDING_INVOICE_STATES = frozenset({POSTED, PAID})
"""An invoice on the books (posted, and maybe paid)."""
