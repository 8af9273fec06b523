"""The rules of essential documents as tables: which documents a study needs, filing, expiry, types."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.documents.rules import expectations, file_types, filing
from trialdesk.documents.rules.expectations import ProtocolFacts, SiteFacts, StaffFacts, StudyFacts

D = dt.date
V1 = ProtocolFacts("1.0", amendment=False, in_effect_from=D(2025, 1, 1))
V2 = ProtocolFacts("2.0", amendment=True, in_effect_from=D(2025, 6, 1))
V3 = ProtocolFacts("3.0", amendment=True, in_effect_from=None)
PI = StaffFacts(1, "Dr Ines Weber", "investigator")
CRC = StaffFacts(2, "Carl Rossi", "coordinator")


def study(**overrides) -> StudyFacts:
    values = dict(phase="III", protocol_versions=(V1,), us_ind=False, local_laboratories=True)
    values.update(overrides)
    return StudyFacts(**values)


def site(country="DE", **overrides) -> SiteFacts:
    values = dict(study_site_id=10, site_number="101", country=country, staff=(PI, CRC))
    values.update(overrides)
    return SiteFacts(**values)


def titles(expected, level=None) -> list[str]:
    return [e.title for e in expected if level is None or e.level == level]


# Which protocol versions a site's file must cover ----------------------------------------------------

VERSION_TABLE = [
    # versions, site activated on -> versions needed
    ((), None, []),
    ((V1,), None, ["1.0"]),
    ((V1, V2), None, ["2.0"]),  # not yet activated: only the current version
    ((V1, V2), D(2025, 3, 1), ["1.0", "2.0"]),  # active under v1.0, then v2.0
    ((V1, V2), D(2025, 6, 1), ["2.0"]),  # activated the day v2.0 took effect
    ((V1, V2), D(2025, 9, 1), ["2.0"]),  # activated after v2.0: v1.0 never applied there
    ((V1, V2, V3), D(2025, 9, 1), ["2.0", "3.0"]),  # v3.0 approved, not yet in effect
]


@pytest.mark.parametrize(("versions", "activated_on", "needed"), VERSION_TABLE)
def test_versions_needed_at_site(versions, activated_on, needed):
    assert [v.number for v in expectations.versions_needed_at_site(versions, activated_on)] == needed


@given(
    st.lists(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 1, 1)), min_size=1, max_size=6, unique=True),
    st.one_of(st.none(), st.dates(min_value=D(2019, 1, 1), max_value=D(2031, 1, 1))),
)
def test_versions_needed_always_end_with_the_current_one_in_order(dates, activated_on):
    versions = tuple(ProtocolFacts(str(i), i > 0, d) for i, d in enumerate(sorted(dates)))
    needed = expectations.versions_needed_at_site(versions, activated_on)
    assert needed[-1] == versions[-1]
    assert list(needed) == [v for v in versions if v in needed]  # a subsequence, oldest first


# The expected-document list ---------------------------------------------------------------------------


def test_a_german_site_of_a_drug_study_needs_these_site_documents():
    expected = expectations.expected_documents(study(), [site()])
    assert titles(expected, "site") == [
        "Protocol signature page (v1.0)",
        "Ethics approval (protocol v1.0)",
        "Approved informed consent form",
        "Curriculum vitae: Dr Ines Weber (investigator)",
        "Curriculum vitae: Carl Rossi",
        "GCP certificate: Dr Ines Weber",
        "GCP certificate: Carl Rossi",
        "Laboratory certification",
        "Laboratory normal ranges",
        "Data privacy agreement (GDPR)",
    ]
    assert titles(expected, "country") == ["EU CTR authorisation decision (CTIS) (protocol v1.0)"]


EXTRA_TABLE = [
    # country, study facts -> site titles added (beyond the common ones) / country titles
    (
        "US",
        dict(us_ind=True),
        ["Form FDA 1572", "Financial disclosure form: Dr Ines Weber"],
        ["IND number notification (FDA)"],
    ),
    ("US", dict(us_ind=False), [], []),
    (
        "CA",
        {},
        ["Qualified investigator undertaking: Dr Ines Weber"],
        ["Health Canada No Objection Letter (protocol v1.0)"],
    ),
    (
        "IN",
        {},
        ["Ethics committee registration (CDSCO)"],
        ["CDSCO permission to conduct the clinical trial (protocol v1.0)"],
    ),
    ("GB", {}, [], ["MHRA clinical trial authorisation (protocol v1.0)"]),
    ("CH", {}, [], ["Regulatory authority approval (protocol v1.0)"]),  # no rule of its own: the default
    (
        "CN",
        {},
        [],
        ["NMPA clinical trial approval (protocol v1.0)", "Human genetic resources approval (HGRAC)"],
    ),
    ("CH", dict(phase="observational"), [], []),  # no investigational product: no authority approval
]
COMMON_SITE = {
    "Protocol signature page (v1.0)",
    "Ethics approval (protocol v1.0)",
    "Approved informed consent form",
    "Curriculum vitae: Dr Ines Weber (investigator)",
    "Curriculum vitae: Carl Rossi",
    "GCP certificate: Dr Ines Weber",
    "GCP certificate: Carl Rossi",
    "Laboratory certification",
    "Laboratory normal ranges",
}


@pytest.mark.parametrize(("country", "facts", "site_extra", "country_titles"), EXTRA_TABLE)
def test_country_rules_add_documents(country, facts, site_extra, country_titles):
    expected = expectations.expected_documents(study(**facts), [site(country)])
    assert set(titles(expected, "site")) - COMMON_SITE == set(site_extra)
    assert sorted(titles(expected, "country")) == sorted(country_titles)


def test_trial_level_documents_follow_the_protocol_versions_and_the_report_stage():
    open_study = expectations.expected_documents(study(protocol_versions=(V1, V2)), [])
    assert titles(open_study, "trial") == [
        "Protocol (v1.0)",
        "Protocol (v2.0)",
        "Investigator's brochure",
        "Informed consent form (master)",
        "Sample case report form",
        "Statistical analysis plan",
    ]
    closed = expectations.expected_documents(study(closed_out=True), [])
    assert "Clinical study report" in titles(closed, "trial")


def test_an_amendment_asks_for_an_amendment_signature_page_and_its_own_approval():
    expected = expectations.expected_documents(
        study(protocol_versions=(V1, V2)), [site(activated_on=D(2025, 2, 1))]
    )
    pages = [(e.artifact_number, e.protocol_version) for e in expected if "signature page" in e.title]
    assert pages == [("05.02.02", "1.0"), ("05.02.03", "2.0")]
    assert "Ethics approval (protocol v2.0)" in titles(expected)


def test_a_closed_site_also_needs_its_close_out_report_and_labs_follow_the_profile():
    expected = expectations.expected_documents(study(local_laboratories=False), [site(closed=True)])
    assert "Close-out monitoring report" in titles(expected)
    assert "Laboratory certification" not in titles(expected)


def test_versions_override_asks_only_about_that_version():
    expected = expectations.expected_documents(
        study(protocol_versions=(V1,)), [site()], versions_override=(V3,)
    )
    assert [e.protocol_version for e in expected if e.protocol_version] == ["3.0"] * 4
    assert "Protocol signature page (v3.0)" in titles(expected, "site")


def test_each_expected_document_has_its_own_slot():
    expected = expectations.expected_documents(
        study(protocol_versions=(V1, V2), us_ind=True), [site("US"), site("DE", study_site_id=11)]
    )
    keys = [e.key for e in expected]
    assert len(keys) == len(set(keys))
    assert all(e.milestone for e in expected)


# Filing checks ---------------------------------------------------------------------------------------

FILING_TABLE = [
    # artifact, level, has site, country -> problem field ('' when fine)
    ("04.01.02", "site", True, "DE", ""),
    ("04.01.02", "country", False, "DE", ""),
    ("99.99.99", "site", True, "DE", "artifact_number"),
    ("", "site", True, "DE", "artifact_number"),
    ("05.02.08", "trial", False, "", "level"),  # the 1572 is a site document
    ("05.02.08", "planet", False, "", "level"),
    ("05.02.08", "site", False, "", "study_site"),
    ("02.01.02", "trial", True, "", "study_site"),
    ("03.01.02", "country", False, "", "country"),
    ("02.01.02", "trial", False, "DE", "country"),
]


@pytest.mark.parametrize(("artifact", "level", "has_site", "country", "field"), FILING_TABLE)
def test_filing_problem(artifact, level, has_site, country, field):
    problem = filing.filing_problem(artifact_number=artifact, level=level, has_site=has_site, country=country)
    assert list(problem) == ([field] if field else [])


def test_unknown_artifact_message_names_the_model_version():
    problem = filing.filing_problem(artifact_number="99.99.99", level="site", has_site=True, country="DE")
    assert problem["artifact_number"] == "There is no artifact '99.99.99' in the TMF Reference Model v3.3.1."


DEFAULT_TITLE_TABLE = [
    # level, artifact, version, person -> title
    ("site", "04.01.02", "3.0", "", "Ethics approval (protocol v3.0)"),
    ("site", "05.02.03", "3.0", "", "Protocol signature page (v3.0)"),
    ("site", "05.03.03", "", "Ada Lovelace", "GCP certificate: Ada Lovelace"),
    ("site", "05.04.06", "", "", "Protocol Deviations"),
    ("trial", "11.02.01", "2.0", "", "Randomization Plan (protocol v2.0)"),
]


@pytest.mark.parametrize(("level", "artifact", "version", "person", "title"), DEFAULT_TITLE_TABLE)
def test_default_title(level, artifact, version, person, title):
    assert (
        expectations.default_title(level=level, artifact_number=artifact, version=version, person=person)
        == title
    )


SLOT_TABLE = [
    # level, artifact, has version, has person -> field missing ('' when fine)
    ("site", "04.01.02", False, False, "protocol_version"),  # ethics approval: per protocol version
    ("site", "04.01.02", True, False, ""),
    ("site", "05.02.02", False, False, "protocol_version"),
    ("site", "05.03.03", False, False, "person"),  # GCP certificate: per staff member
    ("site", "05.03.03", False, True, ""),
    ("site", "02.02.03", False, False, ""),  # the approved consent form: once per site
    ("site", "05.02.12", False, False, ""),  # not in the expectation table: anything goes
    ("country", "03.01.02", False, False, "protocol_version"),
]


@pytest.mark.parametrize(("level", "artifact", "has_version", "has_person", "field"), SLOT_TABLE)
def test_slot_problem(level, artifact, has_version, has_person, field):
    problem = expectations.slot_problem(
        level=level, artifact_number=artifact, has_version=has_version, has_person=has_person
    )
    assert list(problem) == ([field] if field else [])


# Expiry ----------------------------------------------------------------------------------------------

TODAY = D(2026, 3, 1)
EXPIRY_TABLE = [
    # expires on, warning days -> state
    (None, 60, "present"),
    (D(2026, 2, 28), 60, "expired"),
    (D(2026, 3, 1), 60, "expiring"),  # the expiry date is the last valid day
    (D(2026, 4, 30), 60, "expiring"),
    (D(2026, 5, 1), 60, "present"),
    (D(2026, 3, 2), 0, "present"),
]


@pytest.mark.parametrize(("expires_on", "warning_days", "state"), EXPIRY_TABLE)
def test_expiry_state(expires_on, warning_days, state):
    assert filing.expiry_state(expires_on, today=TODAY, warning_days=warning_days) == state


def test_expiry_before_the_documents_date_is_a_problem():
    assert (
        filing.expiry_problem(D(2025, 5, 1), D(2025, 4, 30))
        == "The expiry date is before the document's date."
    )
    assert filing.expiry_problem(D(2025, 5, 1), D(2025, 5, 1)) == ""
    assert filing.expiry_problem(D(2025, 5, 1), None) == ""


@given(st.lists(st.sampled_from([filing.PRESENT, filing.EXPIRING, filing.EXPIRED, filing.MISSING])))
def test_completeness_counts_only_documents_in_date(states):
    on_file, expected = filing.completeness(states)
    assert expected == len(states)
    assert on_file == states.count(filing.PRESENT) + states.count(filing.EXPIRING)


# File types ------------------------------------------------------------------------------------------

TYPE_TABLE = [
    # filename, first bytes -> problem ('' when accepted)
    ("approval.pdf", b"%PDF-1.7 ...", ""),
    ("APPROVAL.PDF", b"%PDF-1.7 ...", ""),
    ("scan.png", b"\x89PNG\r\n\x1a\n....", ""),
    ("scan.jpg", b"\xff\xd8\xff\xe0....", ""),
    ("cv.docx", b"PK\x03\x04....", ""),
    ("ranges.xlsx", b"PK\x03\x04....", ""),
    ("note.txt", "Grüße aus Berlin".encode(), ""),
    ("approval.pdf", b"MZ\x90\x00 a program", "The file's content is not PDF, whatever its name says."),
    ("scan.png", b"%PDF-1.7", "The file's content is not PNG, whatever its name says."),
    ("note.txt", b"text\x00with NUL", "A text file may not hold binary content."),
    ("note.txt", b"\xff\xfe\xfa latin junk", "A text file must be UTF-8 text."),
    ("empty.pdf", b"", "The file is empty."),
]


@pytest.mark.parametrize(("filename", "head", "problem"), TYPE_TABLE)
def test_file_type_problem(filename, head, problem):
    assert file_types.file_type_problem(filename, head) == problem


@pytest.mark.parametrize("filename", ["setup.exe", "macro.docm", "page.html", "noextension"])
def test_disallowed_extensions_are_refused_with_the_allowed_list(filename):
    assert "are not accepted; allowed: .csv, .docx" in file_types.file_type_problem(filename, b"%PDF-")


def test_text_cut_inside_a_multibyte_character_is_still_text():
    assert file_types.file_type_problem("a.txt", "ü".encode() * 3 + "ü".encode()[:1]) == ""
