"""Pages of the finance app."""
