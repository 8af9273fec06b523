"""What every part of a ClinicalTrials.gov import shares: its reason, outcome, refusal and three-way merge."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

REASON = "ClinicalTrials.gov import"


class ImportRefused(Exception):
    """A record that cannot be imported as it stands; nothing of it was written."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class ImportOutcome:
    """What importing one record did."""

    nct_number: str
    study_code: str = ""
    study_id: int | None = None
    study_created: bool = False
    study_updated: bool = False
    skipped: bool = False
    sites_created: int = 0
    sites_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    local_edits: list[str] = field(default_factory=list)


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(m)}" for name, m in error.message_dict.items())
    return " ".join(error.messages)


def _fit(text: str, length: int, path: str, outcome: ImportOutcome) -> str:
    if len(text) <= length:
        return text
    outcome.warnings.append(f"{path}: longer than {length} characters; shortened")
    return text[: length - 1] + "…"


def _current(instance, wanted: dict) -> dict:
    return {name: records_value(getattr(instance, name)) for name in wanted}


def records_value(value):
    """A field value as the import stores it in its bookkeeping (JSON-safe)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _merge(current: dict, previous: dict | None, wanted: dict, what: str) -> tuple[dict, list[str], dict]:
    """(changes to make, local edits kept, values the import now stands for): three-way per field.

    `previous` None means Trialdesk's record existed before it was first linked to the registry: then
    every value already filled in counts as Trialdesk's own and is kept (reported), empty ones are filled.
    """
    changes, kept, recorded = {}, [], {}
    for name, new in wanted.items():
        now, registry_value = current.get(name), records_value(new)
        if now == registry_value:
            recorded[name] = registry_value
            continue
        if previous is None:
            local = now not in ("", None)
        else:
            local = name in previous and previous[name] != now
        if local:
            why = "set before the first import" if previous is None else "edited since the last import"
            kept.append(f"{what} {name}: Trialdesk has {now!r} ({why}), registry says {registry_value!r}")
            recorded[name] = None if previous is None else previous[name]
            continue
        changes[name] = new
        recorded[name] = registry_value
    return changes, kept, recorded
