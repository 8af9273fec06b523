"""Who signed a consent and when it had to be signed, pure: the consent comes before the first study
procedure; a legally authorised representative signs for a person who cannot (a minor: with the child's
assent and age); a minor re-consents on reaching the age of majority where the site is.

Sources: 21 CFR 50.20 and 45 CFR 46.116 (no one is involved as a subject before legally effective
informed consent of the subject or the legally authorised representative, 21 CFR 50.3(l), 45 CFR
46.102(i)); ICH E6(R3) 2.8 (consent obtained before participation); 21 CFR 50.55 and 45 CFR 46.408
(parents' permission and the child's assent); OHRP's guidance on research with children: a child who
reaches the legal age of consent gives their own consent to go on. The ages of majority ship as data
(reference/age_of_majority.json), each with its citation and whether it was read.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

PARTICIPANT = "participant"
REPRESENTATIVE = "representative"
SIGNERS = {
    PARTICIPANT: "The participant",
    REPRESENTATIVE: "A legally authorised representative",
}
ASSENTED = "assented"
ASSENT_WAIVED = "waived"
ASSENT = {
    "": "Not a minor (no assent)",
    ASSENTED: "The minor assented",
    ASSENT_WAIVED: "The minor's assent was waived by the ethics committee",
}

AGES_FILE = Path(__file__).resolve().parent / "reference" / "age_of_majority.json"


# --- the consent comes first ------------------------------------------------------------------------


def consent_after_procedure_problem(
    *, first_consent_on: date | None, first_procedure_on: date | None
) -> str | None:
    """Why a person's consent and their first study procedure are out of order, or None.

    The first consent must be signed on or before the first study procedure (a screening assessment, a
    visit): 21 CFR 50.20, 45 CFR 46.116, ICH E6(R3) 2.8. A procedure with no consent on record is refused.
    """
    if first_procedure_on is None:
        return None
    if first_consent_on is None:
        return (
            f"No consent is recorded: no study procedure may be done (the first is dated "
            f"{first_procedure_on.isoformat()}); record the consent first."
        )
    if first_consent_on > first_procedure_on:
        return (
            f"The consent is dated {first_consent_on.isoformat()}, after the first study procedure on "
            f"{first_procedure_on.isoformat()}: consent comes before any study procedure (21 CFR 50.20)."
        )
    return None


# --- who signed --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Majority:
    """The age from which a person consents for themselves where a site is, and its source."""

    age: int
    citation: str
    verified: bool
    where: str


@cache
def _ages() -> dict:
    return json.loads(AGES_FILE.read_text(encoding="utf-8"))


def age_of_majority(country: str, region: str = "") -> Majority:
    """The age of majority for a site in `country` (ISO code), its state or province `region` (a code or
    name, as the institution records it) where that differs."""
    data = _ages()
    entry = data["countries"].get((country or "").upper())
    if entry is None:
        default = data["default"]
        return Majority(default["age"], default["citation"], default["verified"], country or "")
    wanted = (region or "").strip().lower()
    for code, sub in entry.get("subdivisions", {}).items():
        if wanted and wanted in {code.lower(), *(name.lower() for name in sub["names"])}:
            return Majority(sub["age"], sub["citation"], False, f"{country}-{code}")
    return Majority(entry["age"], entry["citation"], entry["verified"], country)


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def majority_window(*, signed_on: date, age: int, majority_age: int) -> tuple[date, date]:
    """The first and last day a person aged `age` (whole years) on `signed_on` can reach `majority_age`."""
    years = majority_age - age
    return add_years(signed_on, years - 1) + timedelta(days=1), add_years(signed_on, years)


def signer_problems(
    *,
    signer: str,
    relationship: str,
    assent: str,
    age: int | None,
    majority_age: int,
    majority_on: date | None,
    signed_on: date,
) -> dict[str, str]:
    """Field problems of who signed a consent (field name -> message); empty when it may be recorded."""
    problems: dict[str, str] = {}
    minor = age is not None and age < majority_age
    if signer == REPRESENTATIVE and not relationship.strip():
        problems["representative_relationship"] = (
            "Say who the legally authorised representative is to the participant (parent, guardian, "
            "spouse...), 21 CFR 50.3(l)."
        )
    if signer == PARTICIPANT and relationship.strip():
        problems["representative_relationship"] = "Only a representative's consent names a relationship."
    if signer == PARTICIPANT and minor:
        problems["signer"] = (
            f"A participant aged {age} is a minor here (majority at {majority_age}): a parent or legally "
            "authorised representative gives permission, with the minor's assent (21 CFR 50.55)."
        )
    if assent and age is None:
        problems["age_at_signing"] = "Give the child's age when the assent was given."
    elif assent and not minor:
        problems["minor_assent"] = f"Only a minor (under {majority_age} here) assents."
    elif minor and not assent:
        problems["minor_assent"] = "Say whether the minor assented or the committee waived the assent."
    if majority_on is not None:
        if not minor:
            problems["majority_on"] = "Only a minor reaches the age of majority later."
        else:
            first, last = majority_window(signed_on=signed_on, age=age, majority_age=majority_age)
            if not first <= majority_on <= last:
                problems["majority_on"] = (
                    f"Aged {age} on {signed_on.isoformat()}, the participant reaches {majority_age} between "
                    f"{first.isoformat()} and {last.isoformat()}."
                )
    return problems


def majority_reconsent_due(
    *, signed_on: date, age: int, majority_age: int, majority_on: date | None
) -> tuple[date, bool]:
    """When a minor who consented through a representative re-consents themselves: the day they reach the
    age of majority, and whether that day is exact (False: only the age in whole years is known, so the
    earliest day they can reach it)."""
    if majority_on is not None:
        return majority_on, True
    first, _ = majority_window(signed_on=signed_on, age=age, majority_age=majority_age)
    return first, False
