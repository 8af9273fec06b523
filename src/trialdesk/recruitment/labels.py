"""Labels the recruitment pages translate as they draw them (issue 20 §6): the criteria, retention,
upload and approach forms' labels, help texts and choices, candidate statuses, criterion sections and
screening results. Defined in English where they belong (forms, models, screening); listed here so
that makemessages keeps their msgids."""

# ruff: noqa: E501
from django.utils.translation import gettext_noop as _

LABELS = (
    _(
        'A FHIR R4 Bundle (.json: Patient, Condition, Observation, MedicationStatement) or the CSV template (.csv: candidate,birth_date,sex,conditions,medications,<LOINC code> [unit],... — conditions and medications are "system|code|date" separated by ";" (icd10|C50.9|2024-03-01); an observation column is named by its LOINC code and unit ("751-8 10*9/L") and holds "value" or "value@date".). De-identified: a candidate key, never a name.'
    ),
    _("A person checked the rule against the text; only then is it used."),
    _(
        'As in the protocol or the registry: "Inclusion Criteria:" and "Exclusion Criteria:" headings, one item per bullet or numbered line. Each item gets a suggested rule where a pattern states it; check and confirm each one.'
    ),
    _("Candidates"),
    _("Candidates are purged this many days after their upload."),
    _("ClinicalTrials.gov record"),
    _("Criteria text"),
    _("Eligible"),
    _("Entered"),
    _("Exclusion"),
    _("Inclusion"),
    _("Ineligible"),
    _(
        'JSON, e.g. {"kind": "observation", "code": {"system": "http://loinc.org", "code": "751-8"}, "comparator": ">=", "value": 1.5, "unit": "10*9/L"}; leave empty for an item checked by hand.'
    ),
    _("Leave empty to add it at the end of its section."),
    _("Position"),
    _("Retention period (days)"),
    _("Rule"),
    _("Rule confirmed"),
    _("Screening date"),
    _("Screening number"),
    _("Section"),
    _("Text"),
    _("The screening number the site gives the person: never a name or initials."),
    _("Unknown"),
    _("manual"),
    _("met"),
    _("not_met"),
    _("unknown"),
)
