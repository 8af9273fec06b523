"""`trialdesk people …` commands."""
