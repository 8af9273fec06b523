"""Writes of the finance app, each through core.records (or, for generated payables, the bulk path of
docs/adr/0005) with its audit event in the same transaction."""
