"""tillsync's Tryton module (``tillsync``): a batch of tickets' customer shipments booked in
one request and reserved in a second (shipment.py), instead of the eight a client makes with
Tryton's own methods (connectors/erp/tryton/ticket_shipments.py).

Installed with tillsync (the ``trytond.modules`` entry point): activate it in the retailer's
Tryton like any module (``trytond-admin -u tillsync --activate-dependencies``). The connector
asks Tryton whether it is activated and books without it otherwise.
"""

MODULE_NAME = "tillsync"
"""The module's name in Tryton (the entry point's, in pyproject.toml)."""
