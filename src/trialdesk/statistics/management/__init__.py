"""Management commands of the statistics app."""
