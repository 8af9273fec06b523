"""How supply records read on pages, in the API and in the Excel exports (no writes)."""

from trialdesk.supply import rules
from trialdesk.supply.models import Dispensing, KitStatus

ACCOUNT_STATES = ("available", "quarantined", "dispensed", "returned", "destroyed", "expired", "lost")


def compliance(dispensing: Dispensing) -> int | None:
    """The return's compliance percentage, None before the return or when nothing was expected."""
    if dispensing.returned_on is None or dispensing.units_expected_taken is None:
        return None
    return rules.compliance_percent(
        units_dispensed=dispensing.kit.kit_type.units_per_kit,
        units_returned=dispensing.units_returned or 0,
        units_expected_taken=dispensing.units_expected_taken,
    )


def account_row(site, account: rules.SiteAccount | None) -> dict:
    """A site's accountability line: kits received, in transit, in each state, unaccounted, reconciled."""
    states = account.by_state if account else {}
    return {
        "study_site_id": site.pk,
        "site_number": site.site_number,
        "received": account.received if account else 0,
        "in_transit": account.in_transit if account else 0,
        **{state: states.get(state, 0) for state in ACCOUNT_STATES},
        "unaccounted": account.unaccounted if account else 0,
        "reconciled": account.reconciled if account else True,
    }


KIT_STATUS_LABELS = dict(KitStatus.choices)
