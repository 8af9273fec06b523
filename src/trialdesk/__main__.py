"""Lets `python -m trialdesk` run the command line."""

from trialdesk.cli import main

main()
