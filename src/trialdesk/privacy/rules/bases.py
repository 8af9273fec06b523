"""Categories of personal data a study holds, and the legal bases usually relied on for clinical trials.

The bases offered are those the European Data Protection Board names for processing in a clinical trial
(EDPB Opinion 3/2019 on the interplay between the Clinical Trials Regulation and the GDPR, and its Q&A of
2 February 2021): for the reliability and safety obligations of the trial, a legal obligation (Art 6(1)(c))
with Art 9(2)(i); for the research itself, a task in the public interest (Art 6(1)(e)) or legitimate
interests (Art 6(1)(f)) with Art 9(2)(i) or (j), or explicit consent (Art 6(1)(a), Art 9(2)(a)).
"""

CATEGORIES = {
    "participants": "Participants (pseudonymised)",
    "staff": "Site and study staff (identified)",
    "candidates": "Pre-screening candidates (from the sites' records, keyed)",
}
# Data about a person's health: the Art 9 condition is required for these categories.
HEALTH_CATEGORIES = frozenset({"participants", "candidates"})

LEGAL_BASES = {
    "6_1_a": ("Consent", "GDPR Art 6(1)(a)"),
    "6_1_b": ("Contract (e.g. a site or staff contract)", "GDPR Art 6(1)(b)"),
    "6_1_c": ("Legal obligation (safety reporting, archiving: EU CTR)", "GDPR Art 6(1)(c)"),
    "6_1_e": ("Task in the public interest", "GDPR Art 6(1)(e)"),
    "6_1_f": ("Legitimate interests of the sponsor", "GDPR Art 6(1)(f)"),
}
SPECIAL_CONDITIONS = {
    "9_2_a": ("Explicit consent", "GDPR Art 9(2)(a)"),
    "9_2_i": (
        "Public interest in public health (quality and safety of medicinal products)",
        "GDPR Art 9(2)(i)",
    ),
    "9_2_j": ("Scientific research, with Art 89(1) safeguards", "GDPR Art 9(2)(j)"),
}
LEGAL_BASIS_CHOICES = [(key, f"{label} — {cite}") for key, (label, cite) in LEGAL_BASES.items()]
SPECIAL_CONDITION_CHOICES = [(key, f"{label} — {cite}") for key, (label, cite) in SPECIAL_CONDITIONS.items()]

# Purposes offered on the form (free text is accepted too).
USUAL_PURPOSES = (
    "Conduct of the trial under the protocol",
    "Safety reporting (EU CTR Art 41–43)",
    "Archiving the trial master file (EU CTR Art 58)",
    "Monitoring and source data verification",
    "Site selection, contracts and payments",
    "Training and delegation records (ICH E6)",
    "Pre-screening and recruitment",
)


def special_condition_problem(category: str, condition: str) -> str | None:
    """Health data need an Art 9(2) condition; staff data are not health data."""
    if category in HEALTH_CATEGORIES and not condition:
        return "Health data need a condition of GDPR Art 9(2) besides the legal basis."
    if category not in HEALTH_CATEGORIES and condition:
        return "Staff data are not health data: leave the Art 9(2) condition empty."
    return None


def basis_text(key: str) -> str:
    label, cite = LEGAL_BASES.get(key) or SPECIAL_CONDITIONS.get(key) or (key, "")
    return f"{label} ({cite})" if cite else label
