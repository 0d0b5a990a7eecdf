"""Helpers for the end-to-end test: a real `dagster dev` on loopback, its GraphQL API, headless Chromium."""
