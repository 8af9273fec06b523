"""What the parts of the visits API share: plain values from the request, the version the client read."""

from trialdesk.core.apiutils import expected_version


def _plain(values: dict) -> dict:
    """Enum members from the request as the plain strings the models store."""
    if "modalities" in values and values["modalities"] is not None:
        values["modalities"] = [str(m.value if hasattr(m, "value") else m) for m in values["modalities"]]
    return values


def _optional_version(version: int | None, if_match: str | None) -> int | None:
    """The version the client read, when it sent one: recording a visit or a review may go without."""
    if version is None and not if_match:
        return None
    return expected_version(version, if_match)
