"""The record of processing activities of a study (GDPR Art 30) and its transfers (Art 44–49), generated from
what Trialdesk holds: who is on the study where, the sites' countries, and what the data protection officer
recorded (purposes and legal bases, safeguards, the sponsor's country, the end of the trial).

The same document is the page, `GET /api/v1/privacy/register/{study_id}` and
`trialdesk privacy register --study CODE --json`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from trialdesk.core.models import RoleAssignment
from trialdesk.core.roles import SUBJECT_BLIND_ROLES, Role
from trialdesk.privacy.models import ProcessingPurpose, StudyPrivacy, TransferSafeguard
from trialdesk.privacy.rules import bases, retention, transfers
from trialdesk.recruitment.models import Candidate
from trialdesk.recruitment.services import retention_days_of
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Milestone, MilestoneKind, Study
from trialdesk.subjects.models import Participant

# What Trialdesk holds about each category of person (the models behind it, in words).
DATA_HELD = {
    "participants": [
        "participant and screening numbers (pseudonyms, never names)",
        "consent versions and dates",
        "visit dates and procedures done",
        "adverse events: terms, grades, dates, narratives",
        "protocol deviations",
        "randomisation allocation",
    ],
    "staff": [
        "name, username and e-mail address",
        "roles on studies and sites",
        "training records and certificates",
        "delegation-log entries and signatures",
        "financial disclosures",
        "the changes they made (audit trail)",
    ],
    "candidates": [
        "candidate key (de-identified)",
        "birth date and sex",
        "coded conditions, observations and medications from the site's records",
        "the explained result of each pre-screen",
    ],
}


@dataclass(frozen=True)
class Transfer:
    origin: str
    destination: str
    safeguard: str | None
    flagged: bool
    why: str
    seen_by: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "from": self.origin,
            "to": self.destination,
            "safeguard": self.safeguard,
            "flagged": self.flagged,
            "why": self.why,
            "seen_by": list(self.seen_by),
        }


def trial_end(study: Study) -> dt.date | None:
    """The end of the trial: as the data protection officer recorded it, else the last participant's last
    visit as the study's milestones give it; None while the trial has not ended."""
    setting = StudyPrivacy.objects.filter(study=study).first()
    if setting and setting.trial_ended_on:
        return setting.trial_ended_on
    return (
        Milestone.objects.filter(study=study, kind=MilestoneKind.LAST_PARTICIPANT_LAST_VISIT, study_site=None)
        .exclude(actual_on=None)
        .values_list("actual_on", flat=True)
        .first()
    )


def _site_countries(study: Study) -> dict[int, str]:
    return dict(StudySite.objects.filter(study=study).values_list("pk", "institution__country"))


def _viewers(study: Study, sponsor_country: str) -> dict[tuple[str, str], set[str]]:
    """{(country whose data is seen, country it is seen from): roles}, for every role holder of the study.

    Study-level roles see every site's data from the sponsor's country; a person holding site roles in
    several countries sees each of those countries' data from the others.
    """
    site_country = _site_countries(study)
    countries = set(site_country.values())
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    study_level = RoleAssignment.objects.filter(study=study, study_site=None).values_list("role", flat=True)
    if sponsor_country:
        for role in set(study_level):
            for country in countries - {sponsor_country}:
                seen[(country, sponsor_country)].add(role)
    by_person: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user_id, role, site_id in RoleAssignment.objects.filter(study_site__study=study).values_list(
        "user_id", "role", "study_site_id"
    ):
        by_person[user_id].append((role, site_country[site_id]))
    for held in by_person.values():
        their_countries = {country for _, country in held}
        for role, _ in held:
            for origin in their_countries:
                for destination in their_countries - {origin}:
                    seen[(origin, destination)].add(role)
    return seen


def study_transfers(study: Study) -> list[Transfer]:
    setting = StudyPrivacy.objects.filter(study=study).first()
    sponsor_country = setting.sponsor_country if setting else ""
    recorded = {
        (row.from_country, row.to_country): (row.safeguard, row.reference)
        for row in TransferSafeguard.objects.filter(study=study)
    }
    found = []
    for (origin, destination), roles in sorted(_viewers(study, sponsor_country).items()):
        assessment = transfers.assess(origin, destination, recorded.get((origin, destination)))
        found.append(
            Transfer(
                origin,
                destination,
                assessment.safeguard,
                assessment.flagged,
                assessment.why,
                tuple(sorted(roles, key=list(Role).index)),
            )
        )
    return found


def _staff_ids(study: Study) -> set[int]:
    on_study = RoleAssignment.objects.filter(study=study).values_list("user_id", flat=True)
    at_sites = RoleAssignment.objects.filter(study_site__study=study).values_list("user_id", flat=True)
    return set(on_study) | set(at_sites)


def _categories(study: Study) -> list[dict]:
    purposes = defaultdict(list)
    for row in ProcessingPurpose.objects.filter(study=study):
        purposes[row.category].append(
            {
                "purpose": row.purpose,
                "legal_basis": bases.basis_text(row.legal_basis),
                "special_condition": bases.basis_text(row.special_condition)
                if row.special_condition
                else None,
            }
        )
    people = {
        "participants": Participant.objects.filter(study=study).count(),
        "staff": len(_staff_ids(study)),
        "candidates": Candidate.objects.filter(pool__study=study).count(),
    }
    found = []
    for key, label in bases.CATEGORIES.items():
        if key == "candidates" and not purposes[key] and not people[key]:
            continue  # the study keeps no pre-screening pool
        problems = [] if purposes[key] else ["No purpose and legal basis recorded."]
        found.append(
            {
                "category": key,
                "label": label,
                "people": people[key],
                "data": DATA_HELD[key],
                "purposes": purposes[key],
                "problems": problems,
            }
        )
    return found


def _recipients(study: Study) -> list[dict]:
    holders = defaultdict(set)
    for user_id, role in RoleAssignment.objects.filter(study=study).values_list("user_id", "role"):
        holders[role].add(user_id)
    for user_id, role in RoleAssignment.objects.filter(study_site__study=study).values_list(
        "user_id", "role"
    ):
        holders[role].add(user_id)
    found = []
    for role in Role:
        if role not in holders:
            continue
        sees = ["staff"] if role in SUBJECT_BLIND_ROLES else ["participants", "staff"]
        found.append({"role": role.value, "label": role.label, "people": len(holders[role]), "sees": sees})
    return found


def _retention(study: Study) -> list[dict]:
    ended = trial_end(study)
    found = []
    for rule in retention.rules().values():
        row = rule.as_json()
        if rule.record == "trial_master_file":
            until = retention.kept_until(rule.record, start=ended)
            row["kept_until"] = until.isoformat() if until else None
        if rule.record == "candidate_pool":
            row["period"] = f"{retention_days_of(study.pk)} days after the candidates' upload"
        found.append(row)
    return found


def study_register(study: Study) -> dict:
    """The register of one study, as a JSON-ready document."""
    setting = StudyPrivacy.objects.filter(study=study).first()
    ended = trial_end(study)
    return {
        "study": study.code,
        "sponsor": study.sponsor,
        "sponsor_country": setting.sponsor_country if setting else None,
        "trial_ended_on": ended.isoformat() if ended else None,
        "categories": _categories(study),
        "recipients": _recipients(study),
        "transfers": [transfer.as_json() for transfer in study_transfers(study)],
        "retention": _retention(study),
        "problems": []
        if setting
        else ["The sponsor's country is not recorded: transfers to it are not listed."],
    }
