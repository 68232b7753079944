"""Secrets at rest (encryption) and API tokens (hashes only)."""
