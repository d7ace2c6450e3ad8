"""``python -m starter.cli``: the ``tillsync`` command."""

from starter.cli.app import main

main()
