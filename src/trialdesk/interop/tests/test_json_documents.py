"""interop.json_documents: every bad field of a hand-written JSON document named by its JSON path."""

import pytest
from pydantic import BaseModel, ConfigDict, StrictInt

from trialdesk.interop.json_documents import DocumentError, FieldProblem, json_path, read_json, validate


class Visit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    day: StrictInt


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visits: list[Visit]
    aliases: dict[str, str] = {}


@pytest.mark.parametrize(
    ("loc", "root", "path"),
    [
        ((), "$", "$"),
        (("visits", 2, "day"), "$", "$.visits[2].day"),
        (("aliases", "SE.VISIT 1"), "$", "$.aliases['SE.VISIT 1']"),
        (("jurisdictions", 1), "", "jurisdictions[1]"),
        ((0, "length"), "policies", "policies[0].length"),
    ],
)
def test_json_path(loc, root, path):
    assert json_path(loc, root) == path


def test_every_bad_field_is_named_once_in_document_order():
    raw = {"visits": [{"code": "W2", "day": 14}, {"code": 3, "day": "x"}], "aliases": {"A B": 1}, "note": ""}
    with pytest.raises(DocumentError) as error:
        validate(Schedule, raw)
    assert error.value.lines() == [
        "$.visits[1].code: give text",
        "$.visits[1].day: give a whole number",
        "$.aliases['A B']: give text",
        "$.note: unknown key; use visits, aliases",
    ]


def test_a_file_that_is_not_json_is_one_problem_at_the_root(tmp_path):
    path = tmp_path / "map.json"
    path.write_text('{"visits": [}')
    with pytest.raises(DocumentError) as error:
        read_json(path, root="mapping")
    (problem,) = error.value.problems
    assert (
        problem.path == "mapping" and "is not valid JSON" in problem.message and "line 1" in problem.message
    )
    with pytest.raises(DocumentError) as missing:
        read_json(tmp_path / "absent.json")
    assert missing.value.problems[0] == FieldProblem(
        "$", f"cannot read {tmp_path / 'absent.json'}: No such file or directory"
    )
