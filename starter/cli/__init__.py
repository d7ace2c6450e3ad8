"""The `tillsync` command line: typer commands and what they print; their logic lives in
the other rooms of starter/ (intake, control, reports, devstack)."""
