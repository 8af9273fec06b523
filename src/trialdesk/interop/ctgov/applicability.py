"""The registry's own answers to the facts of the FDAAA 801 applicable-clinical-trial test (42 CFR 11.22(b))
and of the EU's paediatric deadline, read leniently from a stored API v2 record: a missing or mistyped
value is unknown (None or ""), never a guess and never an error (the record was validated on import).

Field names follow the API's OpenAPI document: `oversightModule.isUsExport` ("Product Manufactured in and
Exported from the U.S."), `designModule.designInfo.primaryPurpose` (e.g. DEVICE_FEASIBILITY) and
`eligibilityModule.stdAges` (CHILD, ADULT, OLDER_ADULT).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RegistryFlags:
    """What the registry record says; None / "" / () where it says nothing."""

    primary_purpose: str = ""
    is_us_export: bool | None = None
    std_ages: tuple[str, ...] = ()

    @property
    def includes_children(self) -> bool | None:
        """Whether the record's standard age groups include children (under 18); None when not given."""
        return "CHILD" in self.std_ages if self.std_ages else None


def _obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def registry_flags(raw) -> RegistryFlags:
    """The flags of a stored record (the JSON object as imported)."""
    protocol = _obj(_obj(raw).get("protocolSection"))
    oversight = _obj(protocol.get("oversightModule"))
    design = _obj(_obj(protocol.get("designModule")).get("designInfo"))
    ages = _obj(protocol.get("eligibilityModule")).get("stdAges")
    export = oversight.get("isUsExport")
    purpose = design.get("primaryPurpose")
    return RegistryFlags(
        primary_purpose=purpose.upper() if isinstance(purpose, str) else "",
        is_us_export=export if isinstance(export, bool) else None,
        std_ages=tuple(a.upper() for a in ages if isinstance(a, str)) if isinstance(ages, list) else (),
    )
