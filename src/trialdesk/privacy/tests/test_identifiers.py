"""The identifier detector (core.identifiers): each format as a table of text -> what is found, the check
digits against published examples, properties over generated text, and the figures on the labelled set."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.core import identifiers
from trialdesk.core.identifiers import (
    DATE_OF_BIRTH,
    EMAIL,
    NATIONAL_ID,
    PHONE,
    STAFF_NAME,
    excerpt,
    find_identifiers,
    masked,
    nhs_number_valid,
    nir_valid,
    tax_id_valid,
)
from trialdesk.privacy import evaluation

STAFF = ["Anna Weber", "Jonas Keller"]

FOUND = [
    # text -> [(kind, the identifier's text)]
    ("Write to jo.smith@example.org today.", [(EMAIL, "jo.smith@example.org")]),
    ("Scanned ICF - kweber@example.de.pdf", [(EMAIL, "kweber@example.de")]),
    ("Call +44 20 7946 0958 after 6.", [(PHONE, "+44 20 7946 0958")]),
    ("Mobile 06 12 34 56 78.", [(PHONE, "06 12 34 56 78")]),
    ("Phoned from (555) 010-4477.", [(PHONE, "(555) 010-4477")]),
    ("Fax 030 1234 5678 used.", [(PHONE, "030 1234 5678")]),
    ("DOB 03/04/1961 on the worksheet.", [(DATE_OF_BIRTH, "03/04/1961")]),
    ("Born on 12 March 1961 in Lyon.", [(DATE_OF_BIRTH, "12 March 1961")]),
    ("geb. 1.2.1960", [(DATE_OF_BIRTH, "1.2.1960")]),
    ("SSN 078-05-1120 on the card.", [(NATIONAL_ID, "078-05-1120")]),
    ("NHS 943 476 5919 on the letter.", [(NATIONAL_ID, "943 476 5919")]),
    ("NI number AB123456C.", [(NATIONAL_ID, "AB123456C")]),
    ("NIR 1 85 05 78 006 084 91.", [(NATIONAL_ID, "1 85 05 78 006 084 91")]),
    ("IdNr 86095742719 on the form.", [(NATIONAL_ID, "86095742719")]),
    ("Patient Anna Weber fell.", [(STAFF_NAME, "Anna Weber")]),
    ("Weber, Anna fell.", [(STAFF_NAME, "Weber, Anna")]),
    # Not identifiers: trial numbers, lab values, visit dates, staff introduced as staff.
    ("EudraCT 2022-001234-31 amended.", []),
    ("Creatinine 1.2 mg/dL on 2024-03-05, BP 142/91.", []),
    ("Participant 101-0042 seen at visit 3 (day 93).", []),
    ("NCT04567890 updated.", []),
    ("NHS 943 476 5918 is not a valid number.", []),
    ("Reviewed by Anna Weber; Dr Jonas Keller assessed it.", []),
    ("Year of birth 1961.", []),
    ("Kit 00123 dispensed; lot 202403-A.", []),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_find_identifiers_reads_each_format(text, expected):
    found = [(f.kind, text[f.start : f.end]) for f in find_identifiers(text, names=STAFF)]
    assert found == expected


@pytest.mark.parametrize(
    ("check", "number", "valid"),
    [
        # NHS Digital's published test number, and one digit off.
        (nhs_number_valid, "9434765919", True),
        (nhs_number_valid, "9434765918", False),
        (nhs_number_valid, "1111111111", False),
        # INSEE's key: 97 - (1850578006084 mod 97) = 91.
        (nir_valid, "185057800608491", True),
        (nir_valid, "185057800608492", False),
        # The BZSt's example IdNr 86 095 742 719.
        (tax_id_valid, "86095742719", True),
        (tax_id_valid, "86095742718", False),
        (tax_id_valid, "12345678901", False),  # no repeated digit
    ],
)
def test_check_digits_against_published_examples(check, number, valid):
    assert check(number) is valid


def test_excerpt_masks_every_identifier_near_the_finding():
    text = "Participant reachable at jo@example.org or +44 20 7946 0958 after 6 pm."
    found = find_identifiers(text)
    shown = excerpt(text, found[0], found)
    assert "jo@example.org" not in shown and "7946" not in shown
    assert "[e-mail address]" in shown and "[phone number]" in shown


def test_a_staff_name_of_one_word_is_not_searched_for():
    assert find_identifiers("Weber reported a rash.", names=["Weber"]) == []


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_findings_are_in_the_text_and_never_overlap(text):
    found = find_identifiers(text, names=STAFF)
    for finding in found:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.kind in identifiers.KINDS
    for first, second in zip(found, found[1:], strict=False):
        assert first.end <= second.start


@given(st.text(alphabet="abcdefghij klmnop.,;", max_size=200))
def test_text_without_digits_or_at_signs_has_no_identifier_but_names(text):
    assert find_identifiers(text) == []


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.sampled_from(["example.org", "mail.example.com", "example.de"]),
    st.text(alphabet="abcdefgh ,.", max_size=40),
)
def test_an_email_address_anywhere_is_found_and_masked(local, domain, around):
    address = f"{local}@{domain}"
    text = f"{around} {address} {around}"
    found = find_identifiers(text)
    assert [(f.kind, text[f.start : f.end]) for f in found] == [(EMAIL, address)]
    assert address not in masked(text, found)


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_every_nhs_number_with_its_check_digit_is_found(body):
    digits = f"{body:09d}"
    total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    if check == 10 or len(set(digits + str(check))) == 1:
        return
    number = digits + str(check)
    text = f"NHS number {number[:3]} {number[3:6]} {number[6:]} on the letter."
    assert [f.kind for f in find_identifiers(text)] == [NATIONAL_ID]


@given(
    st.integers(min_value=1, max_value=28), st.integers(min_value=1, max_value=12), st.integers(1930, 2010)
)
def test_a_date_is_a_date_of_birth_only_after_a_birth_cue(day, month, year):
    date = f"{day:02d}/{month:02d}/{year}"
    assert [f.kind for f in find_identifiers(f"DOB {date}.")] == [DATE_OF_BIRTH]
    assert find_identifiers(f"Visit on {date}.") == []


# Published in README.md, "Data protection": the figures may not fall below these.
PUBLISHED = {"precision": 0.97, "recall": 0.98}


def test_labelled_set_figures_are_not_below_those_published():
    result = evaluation.evaluate()
    assert result.sentences >= 200
    assert result.overall.precision >= PUBLISHED["precision"], evaluation.report(result)
    assert result.overall.recall >= PUBLISHED["recall"], evaluation.report(result)
