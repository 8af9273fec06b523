"""Ethics committees, authorities, submissions and approvals, country rules, amendment implementation."""
