"""Management commands of the core app, run as `trialdesk <command>`."""
