"""The sync-health page: each store's sync at a glance, the exception queue by owner role,
retry and abandon from the page, the day's reconciliation. FastAPI with server-rendered Jinja2
templates (no front-end build), behind operators' own credentials."""
