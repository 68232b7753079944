"""Adapters to the outside: one per mailbox kind, plus the Salesforce client."""
