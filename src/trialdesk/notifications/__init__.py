"""Notifications: a person's in-app inbox and e-mail (immediately or as a daily digest), per-person preferences."""
