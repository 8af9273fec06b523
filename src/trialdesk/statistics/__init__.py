"""Statistics in the app: the command-line entry points, pages and saved planning assumptions over analytics/."""
