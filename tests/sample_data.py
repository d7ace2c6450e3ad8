"""Real sample files the tests read, kept in the repository with their licences."""

from pathlib import Path

POSLOG_DIR = Path(__file__).resolve().parent / "data" / "poslog"
"""NCR's ARTS POSLog samples (BSD-3-Clause, see LICENSE there), copied from shared/data/poslog."""
