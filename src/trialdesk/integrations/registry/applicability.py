"""The FDAAA 801 applicable-clinical-trial test of 42 CFR 11.22(b) (trials initiated from 18 January 2017),
as NLM's checklist states it, pure: yes, no, or unknown with the facts that are missing.

1. The study is interventional.
2. It studies a drug (including a biological product) or a device regulated by the FDA.
3. It is not a phase 1 trial of a drug, nor a device feasibility study.
4. At least one of: a facility in the United States (or a US territory); conducted under an IND or IDE;
   a product manufactured in the United States and exported for study in another country
   (11.22(b)(1)(ii)(D)(2), (b)(2)(iv)(B)).

A fact Trialdesk does not know is never guessed: the answer is "unknown" and names it.
"""

from dataclasses import dataclass

YES = "yes"
NO = "no"
UNKNOWN = "unknown"
PHASE_1 = frozenset({"PHASE1", "EARLY_PHASE1"})
US_TERRITORIES = frozenset({"US", "AS", "GU", "MP", "PR", "VI", "UM"})


@dataclass(frozen=True)
class ActFacts:
    """What the test needs; None (or "") where Trialdesk does not know."""

    study_type: str
    phases: tuple[str, ...] = ()
    fda_regulated_drug: bool | None = None
    fda_regulated_device: bool | None = None
    primary_purpose: str = ""
    has_us_site: bool = False
    under_ind_ide: bool | None = None
    us_product_exported: bool | None = None


@dataclass(frozen=True)
class Applicability:
    """The answer, why, and the facts to record for an answer where it is unknown."""

    answer: str
    why: str
    missing: tuple[str, ...] = ()

    @property
    def applicable(self) -> bool | None:
        return {YES: True, NO: False}.get(self.answer)


def applicable_clinical_trial(f: ActFacts) -> Applicability:
    """Whether a trial is an applicable clinical trial under 42 CFR 11.22(b)."""
    if not f.study_type:
        return Applicability(UNKNOWN, "the study type is not known", ("study type",))
    if f.study_type != "INTERVENTIONAL":
        return Applicability(NO, "not an interventional study")
    products = (f.fda_regulated_drug, f.fda_regulated_device)
    if not any(products):
        if all(p is False for p in products):
            return Applicability(NO, "studies no FDA-regulated drug or device")
        return Applicability(
            UNKNOWN,
            "whether it studies an FDA-regulated drug or device is not known",
            ("FDA-regulated product",),
        )
    excluded = _excluded(f)
    if excluded:
        return Applicability(NO, excluded)
    return _us_connection(f)


def _excluded(f: ActFacts) -> str:
    """Why the trial is outside the definition (phase 1 drug trial, device feasibility study), or ""."""
    drug_excluded = bool(f.phases) and all(p in PHASE_1 for p in f.phases)
    device_excluded = f.primary_purpose == "DEVICE_FEASIBILITY"
    if f.fda_regulated_drug and not f.fda_regulated_device and drug_excluded:
        return "a phase 1 trial of a drug"
    if f.fda_regulated_device and not f.fda_regulated_drug and device_excluded:
        return "a device feasibility study"
    if f.fda_regulated_drug and f.fda_regulated_device and drug_excluded and device_excluded:
        return "a phase 1 drug trial and a device feasibility study"
    return ""


def _us_connection(f: ActFacts) -> Applicability:
    if f.has_us_site:
        return Applicability(YES, "FDA-regulated product and a site in the United States")
    if f.under_ind_ide:
        return Applicability(YES, "FDA-regulated product studied under an IND or IDE")
    if f.us_product_exported:
        return Applicability(
            YES, "FDA-regulated product made in the United States and exported for the study"
        )
    missing = tuple(
        name
        for name, value in (
            ("IND/IDE", f.under_ind_ide),
            ("product made in the US and exported", f.us_product_exported),
        )
        if value is None
    )
    if missing:
        return Applicability(
            UNKNOWN, "no site in the United States; " + " and ".join(missing) + " not known", missing
        )
    return Applicability(
        NO,
        "no site in the United States, not under an IND or IDE, no product exported from the United States",
    )
