"""Pages of the supply app."""
