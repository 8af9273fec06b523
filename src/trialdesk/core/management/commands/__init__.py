"""The `trialdesk` commands: audit, token, demo."""
