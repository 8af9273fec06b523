"""trialdesk forecast, rbqm and stats commands."""
