"""The sandbox ERP's demo data, written with proteus inside a freshly created Tryton database.

Run as ``python -m connectors.erp.tryton_sandbox.seed --config FILE --database NAME``: it runs
in its own process so that trytond's global configuration never leaks into the caller.
"""
