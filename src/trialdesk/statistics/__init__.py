"""Statistics in the app: commands, pages and saved planning assumptions over analytics/."""
