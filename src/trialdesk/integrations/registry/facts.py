"""The facts of a study's registry duties that the registry record gives, completed by what the CRM
recorded: the applicable-clinical-trial test (42 CFR 11.22(b)) and whether the trial is paediatric.

A fact neither gives stays unknown (None), and the answer says so.
"""

from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import applicability
from trialdesk.interop import ctgov
from trialdesk.sites.models import StudySite


def act_facts(record: RegistryRecord, sites: list[StudySite]) -> applicability.ActFacts:
    """The facts of the 42 CFR 11.22(b) test: the registry record's, the CRM's where it has recorded them."""
    flags = ctgov.registry_flags(record.raw)
    drug, device = _fda_products(record)
    exported = record.us_product_exported
    return applicability.ActFacts(
        study_type=record.study_type,
        phases=tuple(record.phases or ()),
        fda_regulated_drug=drug,
        fda_regulated_device=device,
        primary_purpose=flags.primary_purpose,
        has_us_site=any(site.institution.country in applicability.US_TERRITORIES for site in sites),
        under_ind_ide=record.under_ind_ide if record.under_ind_ide is not None else _ind_from_number(record),
        us_product_exported=exported if exported is not None else flags.is_us_export,
    )


def _fda_products(record: RegistryRecord) -> tuple[bool | None, bool | None]:
    """Whether it studies an FDA-regulated drug and device, from the registry (isFdaRegulatedDrug/Device)."""
    oversight = (record.raw.get("protocolSection") or {}).get("oversightModule") or {}
    drug, device = oversight.get("isFdaRegulatedDrug"), oversight.get("isFdaRegulatedDevice")
    if isinstance(drug, bool) or isinstance(device, bool):
        return (drug if isinstance(drug, bool) else None), (device if isinstance(device, bool) else None)
    if record.is_fda_regulated is None:
        return None, None
    kinds = {i.get("type") for i in record.interventions or () if isinstance(i, dict)}
    return record.is_fda_regulated and "DEVICE" not in kinds, record.is_fda_regulated and "DEVICE" in kinds


def _ind_from_number(record: RegistryRecord) -> bool | None:
    return True if record.ind_ide_number.strip() else None


def applicability_of(record: RegistryRecord, sites: list[StudySite]) -> applicability.Applicability:
    """The CRM's recorded answer, else the 42 CFR 11.22(b) test over what is known."""
    if record.applicable_clinical_trial is not None:
        answer = applicability.YES if record.applicable_clinical_trial else applicability.NO
        return applicability.Applicability(answer, "as recorded by the study's CRM")
    return applicability.applicable_clinical_trial(act_facts(record, sites))


def is_applicable(record: RegistryRecord, sites: list[StudySite]) -> bool:
    """True only when the trial is known to be an applicable clinical trial."""
    return applicability_of(record, sites).answer == applicability.YES


def paediatric(record: RegistryRecord) -> bool | None:
    """Whether the trial is paediatric: the CRM's answer, else the registry's age groups, else unknown."""
    if record.paediatric is not None:
        return record.paediatric
    return ctgov.registry_flags(record.raw).includes_children
