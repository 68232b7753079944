"""Everything that talks to Salesforce over HTTPS.

Modules: `connect` (client for a stored connection) · `client` (SalesforceClient: budget,
retries, one refresh, error translation) · `errors` (the vocabulary and its table) ·
`tokens` (access/refresh tokens, needs_reauth) · `budget` (usage, reserve, pauses, /limits re-reads) ·
`writes` (Collections: create/update/upsert/delete) · `queries` (limit-aware SOQL, Composite) ·
`changes` (org-wide change feed) · `describe` (cached metadata, write preparation) ·
`search` (batched look-ups) · `oauth`, `guard`, `http` (sign-in, SSRF guard, sessions) ·
`stores` (the storage interfaces the adapter is handed; it imports no storage itself).
"""
