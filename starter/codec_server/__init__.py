"""The codec server: Temporal's remote codec protocol over HTTP, so the Temporal UI and CLI
show decrypted payloads to those allowed to read them (``tillsync codec-server``)."""
