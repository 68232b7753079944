"""Marshmallow schemas for every API request and response body (unknown fields rejected)."""
