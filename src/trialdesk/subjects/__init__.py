"""Participants: screening log, informed consent, enrollment, status and demographics."""
