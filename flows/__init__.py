"""Prefect flows, tasks and the `tradeline` CLI: orchestration only; the work lives elsewhere."""

from tradeline.flows.prefect_env import apply_prefect_defaults

apply_prefect_defaults()
