"""Operators' and finance's handles on Temporal: runs, the exception queue, the period close,
schedules."""
