"""Notifications: an in-app inbox, e-mail (immediately or in a daily digest), per-person choices."""
