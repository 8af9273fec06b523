"""Users, roles, study/site scoping, the audit trail and API tokens."""
