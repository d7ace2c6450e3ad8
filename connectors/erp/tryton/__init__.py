"""Tryton 8 as tillsync's ERP, over its REST API (``/<database>/rest/model/...``).

One POS transaction becomes one ``sale.sale`` whose ``reference`` is the order reference, so
every step starts by looking the sale up and only does what is still missing:

- reserve: create the sale, ``quote``, ``confirm`` (Tryton then creates the customer shipment
  and the draft invoice), ``assign_try`` the shipment: its moves become assigned, which lowers
  the available quantity and books nothing. Before assigning, the draft invoice is made to
  carry the till's net and taxes to the penny (invoicing.py: a manual tax line per tax for
  the difference, a TAX-ADJUST line for the net; beyond tolerance ErpTotalsMismatch),
  returned lines are linked to their original sale and damaged ones routed to the warehouse's
  damaged-goods location (returns.py).
- post: set the invoice and accounting dates on the draft invoice, ``post`` it: revenue, tax,
  and (anglo-saxon) COGS against the stock interim account at the product's cost price.
- pay: each tender a posted payment move on its tender type's payment method (journal and
  account), reconciled with the invoice over JSON-RPC: the invoice ends paid (payments.py).
- commit: ``pack`` and ``do`` the shipment: on-hand stock drops, stock is credited.
- release: ``cancel`` the shipment and the draft invoice, then ignore the cancelled moves and
  invoice on the sale and ``process`` it, which closes it as done with nothing left to do
  (a confirmed Tryton sale cannot be cancelled).
- void payments: unreconcile, cancel the payment moves (reversals), unlink them.
- cancel posting: void the payments, then ``cancel`` the posted invoice, which posts a cancel
  move mirroring it (the company must allow cancelling customer invoices; the sandbox does).
- return stock: a customer return shipment of what was issued, ``receive``: back in stock;
  what a return received: its done return shipments are cancelled.

Returned lines (negative quantities) make Tryton create a customer return shipment instead;
commit receives it.

Tryton refuses business errors with HTTP 400 and a message (ErpRejected); connection failures,
timeouts and 5xx are ErpUnavailable. Codes are resolved to ids once and cached.
"""

from connectors.erp.tryton.client import TrytonClient
from connectors.erp.tryton.connector import TrytonConnector
from connectors.erp.tryton.rest import TrytonRest

__all__ = ["TrytonClient", "TrytonConnector", "TrytonRest"]
