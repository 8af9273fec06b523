"""Recruitment: eligibility criteria as structured rules, pre-screening of a site's candidate pool, explained."""
