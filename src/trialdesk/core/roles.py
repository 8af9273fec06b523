"""The roles of SPEC.md "Users and what they may touch", with the scope each is granted at."""

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    CRM = "crm", "Clinical Research Manager"
    MONITOR = "monitor", "CRA / monitor"
    COORDINATOR = "coordinator", "CRC / site staff"
    INVESTIGATOR = "investigator", "Principal Investigator"
    SAFETY = "safety", "Safety officer"
    FINANCE = "finance", "Finance"
    SPONSOR_VIEWER = "sponsor_viewer", "Sponsor viewer"
    AUDITOR = "auditor", "Auditor / QA"
    DPO = "dpo", "Data protection officer"
    SUPPLY_MANAGER = "supply_manager", "Supply manager"


class Scope(models.TextChoices):
    GLOBAL = "global", "Whole installation"
    STUDY = "study", "Study"
    SITE = "site", "Study site"


# Where each role may be granted. Administrator is installation-wide; the others are per study or site.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset({Scope.GLOBAL}),
    Role.CRM: frozenset({Scope.STUDY}),
    Role.SAFETY: frozenset({Scope.STUDY}),
    Role.FINANCE: frozenset({Scope.STUDY}),
    Role.SPONSOR_VIEWER: frozenset({Scope.STUDY}),
    Role.AUDITOR: frozenset({Scope.STUDY}),
    Role.DPO: frozenset({Scope.STUDY}),
    # Issue 17: plans and ships investigational product and samples for the study's sites.
    Role.SUPPLY_MANAGER: frozenset({Scope.STUDY}),
    Role.MONITOR: frozenset({Scope.SITE}),
    Role.COORDINATOR: frozenset({Scope.SITE}),
    Role.INVESTIGATOR: frozenset({Scope.SITE}),
}

# Roles that see no subject-level data (SPEC.md: sponsor viewers get no subject-level identifiers):
# their assignments open aggregate figures, never a participant's or an adverse event's records.
# The data protection officer (issue 20) reads the register of processing, the data-subject requests and
# the incidents of their studies; the participants' pseudonymised records are none of their business.
SUBJECT_BLIND_ROLES = frozenset({Role.SPONSOR_VIEWER, Role.DPO})
# Roles that may read but never change trial data (writes answer 403). The data protection officer keeps
# the privacy records themselves (legal bases, safeguards, holds, requests) in the privacy app.
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.SPONSOR_VIEWER, Role.DPO})
# The people at a site who screen, consent, enroll, randomize and see its participants at visits.
SITE_STAFF_ROLES = frozenset({Role.COORDINATOR, Role.INVESTIGATOR})
# Roles that may change a study's setup: its protocol, arms, milestones and sites.
STUDY_MANAGER_ROLES = frozenset({Role.CRM})
