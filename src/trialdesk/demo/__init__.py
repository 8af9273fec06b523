"""The demo portfolio: studies, institutions and people loaded by `trialdesk demo` through the services."""
