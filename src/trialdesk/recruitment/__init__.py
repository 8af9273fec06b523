"""Recruitment: eligibility criteria as structured rules, and an explained pre-screening of each site's
candidate pool."""
