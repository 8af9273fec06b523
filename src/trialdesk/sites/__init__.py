"""Institutions and study sites, with the site status lifecycle."""
