"""The POS ingest: an HTTP service tills post completed transactions to (``tillsync ingest``).

- ``auth``: per-store HMAC signatures and the timestamp window;
- ``limits``: body size and per-store request rate;
- ``payloads``: content type -> POS adapter;
- ``models``: what the service answers;
- ``app``: the app, assembled from the routers (``transaction_routes``, ``stock_routes``,
  ``till_feeds``, ``operations_routes``) and ``answers``; ``server``: running it under uvicorn.
"""
