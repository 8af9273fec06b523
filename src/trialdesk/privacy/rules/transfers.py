"""Transfers of personal data between countries (GDPR Chapter V, Art 44–49; UK GDPR the same) and the
adequacy decisions they may rest on (adequacy.json, with its sources).

A transfer is assessed from the country whose data is seen (`origin`) to the country it is seen from
(`destination`):

| origin | destination | safeguard needed |
|---|---|---|
| EEA | EEA | none: no transfer under Chapter V |
| EEA | a country with an unconditional EU adequacy decision | none beyond the decision (Art 45) |
| UK | the EEA, or a country of the UK's regulations | none beyond them (UK GDPR Art 45, DPA s.17A) |
| EEA or UK | any other, or a decision with a condition (US, CA) | one recorded: SCCs, other (Art 46, 49) |
| elsewhere | anywhere | one recorded: Trialdesk holds no rules for the origin's law, and flags it |
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ADEQUACY = "adequacy_decision"
SCC = "standard_contractual_clauses"
OTHER = "other"
NOT_REQUIRED = "not_required"


@cache
def adequacy() -> dict:
    return json.loads((Path(__file__).with_name("adequacy.json")).read_text(encoding="utf-8"))


def is_eea(country: str) -> bool:
    return country in adequacy()["eea"]


@dataclass(frozen=True)
class TransferAssessment:
    """The safeguard a transfer rests on (None: none where one is needed), whether it is flagged, and why."""

    safeguard: str | None
    flagged: bool
    why: str


def decision_for(origin: str, destination: str) -> dict | None:
    """The adequacy decision covering data of `origin` seen from `destination` (None if none)."""
    data = adequacy()
    if is_eea(origin):
        return data["eu_decisions"].get(destination)
    if origin == "GB":
        if is_eea(destination):
            return {"decision": "Data Protection Act 2018 Sch 21 para 4 (EEA states)"}
        return data["uk_regulations"].get(destination)
    return None


def assess(origin: str, destination: str, recorded: tuple[str, str] | None) -> TransferAssessment:
    """How a transfer from `origin` to `destination` is safeguarded; `recorded` is (safeguard, reference)
    as the study recorded it, or None."""
    if is_eea(origin) and is_eea(destination):
        return TransferAssessment(NOT_REQUIRED, False, "Both in the EEA: no transfer under GDPR Chapter V.")
    if recorded is not None:
        safeguard, reference = recorded
        return TransferAssessment(safeguard, False, reference or "Recorded by the study.")
    decision = decision_for(origin, destination)
    if decision and "condition" not in decision:
        return TransferAssessment(ADEQUACY, False, decision["decision"])
    if decision:
        why = f"{decision['decision']} covers {decision['condition']}: record which safeguard applies."
        return TransferAssessment(None, True, why)
    if is_eea(origin) or origin == "GB":
        law = "UK GDPR" if origin == "GB" else "GDPR"
        return TransferAssessment(
            None, True, f"No adequacy decision for {destination}: {law} Art 46 needs a safeguard (e.g. SCCs)."
        )
    return TransferAssessment(
        None,
        True,
        f"Trialdesk holds no transfer rules for data from {origin}: record the safeguard relied on.",
    )
