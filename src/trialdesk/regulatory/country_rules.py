"""Country rules shipped as data (countries/*.json): read once, looked up by ISO country code."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

COUNTRIES_DIR = Path(__file__).resolve().parent / "countries"


@dataclass(frozen=True)
class CountryRules:
    """One jurisdiction's rules; `raw` is the file's content (see countries/README.md for its fields)."""

    code: str
    name: str
    applies_to: tuple[str, ...]
    raw: dict

    @property
    def continuing_review_months(self) -> int | None:
        return self.raw["ethics"].get("continuing_review_months")

    @property
    def amendment_requires_authority(self) -> bool:
        return bool(self.raw.get("amendment_requires_authority"))

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
