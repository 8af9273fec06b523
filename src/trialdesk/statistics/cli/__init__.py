"""Arguments and output of `trialdesk stats` sub-commands that would crowd the command's own module."""
