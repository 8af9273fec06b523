"""What Trialdesk accepts as text, dates and numbers (core.strict_input), as tables, and the write path's
text check (core.records): every regulated record, whether from a page, the API, an import or a command."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_participant
from tests.writes import nothing_written
from trialdesk.core import records, strict_input
from trialdesk.safety.tests.factories import make_adverse_event
from trialdesk.studies import services as study_services

LONE_SURROGATE = "x\ud800y"


@pytest.mark.parametrize(
    "value, limit, expected",
    [
        ("plain text", 100, None),
        ("ünïcödé ✓ 日本", 100, None),
        ("a" * 100, 100, None),
        ("a" * 101, 100, "At most 100 characters (this has 101)."),
        ("a" * 300_000, strict_input.TEXT_LIMIT, "At most 20,000 characters (this has 300,000)."),
        ("a" * 300_000, None, None),
        ("nul\x00", 100, "Text may not contain NUL characters."),
        (LONE_SURROGATE, 100, "Text may not contain a lone surrogate (an invalid Unicode character)."),
        (
            ["ok", LONE_SURROGATE],
            100,
            "Text may not contain a lone surrogate (an invalid Unicode character).",
        ),
        (
            {LONE_SURROGATE: True},
            100,
            "Text may not contain a lone surrogate (an invalid Unicode character).",
        ),
        (
            {"item": ["deep", "x\udfffy"]},
            100,
            "Text may not contain a lone surrogate (an invalid Unicode character).",
        ),
        (12, 1, None),
    ],
)
def test_text_problem(value, limit, expected):
    assert strict_input.text_problem(value, limit=limit) == expected


@pytest.mark.parametrize(
    "annotation, value, expected",
    [
        (dt.date, "2025-03-01", None),
        (dt.date, 0, strict_input.DATE_FORMAT),
        (dt.date, 1798761600, strict_input.DATE_FORMAT),
        (dt.date | None, None, None),
        (dt.date | None, 0, strict_input.DATE_FORMAT),
        (dt.datetime, "2025-03-01T14:30:00+01:00", None),
        (dt.datetime, 1798761600, strict_input.DATE_TIME_FORMAT),
        (int, 3, None),
        (int, True, strict_input.WHOLE_NUMBER),
        (int, False, strict_input.WHOLE_NUMBER),
        (int, "3", strict_input.WHOLE_NUMBER),
        (int | None, True, strict_input.WHOLE_NUMBER),
        (list[int], [1, True], strict_input.WHOLE_NUMBER),
        (dict[str, bool], {"a": True}, None),
        (dict[str, bool], {"a": 1}, strict_input.TRUE_OR_FALSE),
        (bool, "yes", strict_input.TRUE_OR_FALSE),
        (bool, 1, strict_input.TRUE_OR_FALSE),
        (float, 2.5, None),
        (float, True, strict_input.NUMBER),
        (Decimal, "12.50", None),
        (Decimal, True, strict_input.NUMBER),
        (str, "anything", None),
    ],
)
def test_json_type_problem(annotation, value, expected):
    assert strict_input.json_type_problem(annotation, value) == expected


@pytest.mark.parametrize(
    "annotation, value, expected",
    [
        (dt.date, "2025-03-01", None),
        (dt.date, "1798761600", strict_input.DATE_FORMAT),
        (dt.date, "2025-03-01T00:00:00", strict_input.DATE_FORMAT),
        (dt.date | None, "0", strict_input.DATE_FORMAT),
        (dt.datetime, "2025-03-01T14:30", None),
        (dt.datetime, "2025-03-01T14:30:00.123Z", None),
        (dt.datetime | None, "2025-03-01 14:30:00+01:00", None),
        (dt.datetime, "1798761600", strict_input.DATE_TIME_FORMAT),
        (dt.datetime, "2025-03-01", strict_input.DATE_TIME_FORMAT),
        (str, "1798761600", None),
        (int, "5", None),  # a query string's numbers are text: pydantic parses them
    ],
)
def test_iso_problem(annotation, value, expected):
    assert strict_input.iso_problem(annotation, value) == expected


@given(st.text(max_size=50))
def test_text_hypothesis_generates_is_always_storable(text):
    # Hypothesis, like a browser, never produces lone surrogates: such text always passes.
    assert strict_input.text_problem(text, limit=None) is None


# The write path: every regulated record ------------------------------------------------------------------


def test_a_300000_character_narrative_is_refused_naming_the_field(world):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        make_adverse_event(participant, by=world.crm, narrative="a" * 300_000)
    assert refused.value.message_dict["narrative"] == ["At most 20,000 characters (this has 300,000)."]


def test_a_narrative_of_20000_characters_is_kept(world):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    event = make_adverse_event(participant, by=world.crm, narrative="a" * 20_000)
    assert len(event.versions.get().narrative) == 20_000


def test_a_lone_surrogate_in_a_text_field_is_refused_naming_the_field(world):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        study_services.create_arm(study=world.study_a, code="B", name=LONE_SURROGATE, by=world.crm)
    assert "lone surrogate" in refused.value.message_dict["name"][0]


def test_a_lone_surrogate_in_a_reason_is_refused_naming_the_reason(world):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        study_services.update_study(
            study=world.study_a, changes={"title": "New"}, by=world.crm, reason=LONE_SURROGATE
        )
    assert "lone surrogate" in refused.value.message_dict["reason"][0]


def test_text_problems_of_a_record_name_each_field(world):
    arm = world.study_a.arms.get()
    arm.name = LONE_SURROGATE
    arm.description = "d" * 20_001
    assert set(records.text_problems(arm)) == {"name", "description"}
