"""The People directory: accounts, their roles, and each study's team."""
