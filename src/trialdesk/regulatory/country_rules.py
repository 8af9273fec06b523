"""Country rules shipped as data (countries/*.json): read once, looked up by ISO country code."""

import json
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path

from trialdesk.regulatory.rules import authorisation, review

COUNTRIES_DIR = Path(__file__).resolve().parent / "countries"


@dataclass(frozen=True, eq=False)
class CountryRules:
    """One jurisdiction's rules; `raw` is the file's content (see countries/README.md for its fields)."""

    code: str
    name: str
    applies_to: tuple[str, ...]
    raw: dict

    def continuing_review_months(self, on: date) -> int | None:
        """The longest period an ethics approval runs under the rule in force on `on` (None: it does not
        lapse); the demo's committees take it as their period."""
        law = self.review_law(on)
        return law.months if law else None

    @property
    def amendment_requires_authority(self) -> bool:
        return bool(self.raw.get("amendment_requires_authority"))

    @cached_property
    def review_laws(self) -> tuple[review.ReviewLaw, ...]:
        return review.laws_from(self.raw.get("continuing_review", ()), review.ReviewLaw)

    @cached_property
    def report_laws(self) -> tuple[review.ReportLaw, ...]:
        return review.laws_from(self.raw.get("progress_reports", ()), review.ReportLaw)

    @cached_property
    def amendment_laws(self) -> tuple[authorisation.AmendmentLaw, ...]:
        return review.laws_from(self.raw.get("amendment_implementation", ()), authorisation.AmendmentLaw)

    def review_law(self, on: date) -> review.ReviewLaw | None:
        """The continuing-review rule in force on `on`."""
        return review.in_force_on(self.review_laws, on)

    def report_law(self, on: date) -> review.ReportLaw | None:
        """The periodic-report rule (not an expiry) in force on `on`."""
        return review.in_force_on(self.report_laws, on)

    def amendment_law(self, on: date) -> authorisation.AmendmentLaw | None:
        """What the authority must do before an amendment submitted on `on` is implemented."""
        return review.in_force_on(self.amendment_laws, on)

    def get(self, key: str, default=None):
        return self.raw.get(key, default)


@cache
def all_rules() -> tuple[CountryRules, ...]:
    found = []
    for path in sorted(COUNTRIES_DIR.glob("*.json")):
        if path.name == "authorities.json":
            continue
        raw = json.loads(path.read_text(encoding="utf-8"))
        found.append(CountryRules(raw["code"], raw["name"], tuple(raw["applies_to"]), raw))
    return tuple(found)


@cache
def _by_country() -> dict[str, CountryRules]:
    return {country: rules for rules in all_rules() for country in rules.applies_to}


def rules_for(country: str) -> CountryRules | None:
    """The rules that apply in `country` (an EU member state gets the EU rules), or None if none ship."""
    return _by_country().get((country or "").upper())


@cache
def authorities() -> tuple[dict, ...]:
    return tuple(json.loads((COUNTRIES_DIR / "authorities.json").read_text(encoding="utf-8")))


def load_authorities(model) -> int:
    """Create or update the shipped authorities as rows of `model` (the migration's historical model or
    RegulatoryAuthority itself); returns how many the file holds."""
    entries = authorities()
    for entry in entries:
        model.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "countries": entry["countries"],
                "region": entry.get("region", ""),
                "portal": entry.get("portal", ""),
            },
        )
    return len(entries)
