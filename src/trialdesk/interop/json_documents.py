"""JSON documents that people write by hand (an event's facts, committee policies, an ODM mapping file):
read, then validated by a pydantic model that names every bad field by its JSON path, one line each.

A model describes the document; `validate(Model, raw)` returns the model or raises `DocumentError`, whose
`problems` are (path, message) pairs such as `$.study_events['SE.VISIT 1']: give a visit code`. The path
starts at `root`: "$" (JSONPath) by default, or a name ("policies") or nothing ("") where a command has
always named fields so. No Django here: commands and services turn the problems into their own errors.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Model = TypeVar("Model", bound=BaseModel)
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# pydantic's words for a few common problems, put as the rest of Trialdesk's messages put them.
MESSAGES = {
    "missing": "required; this field is missing",
    "extra_forbidden": "unknown key",
    "bool_type": "give true or false",
    "string_type": "give text",
    "list_type": "give a list",
    "dict_type": "give an object",
    "model_type": "give an object",
    "int_type": "give a whole number",
}


@dataclass(frozen=True)
class FieldProblem:
    """One bad field: where it is (a JSON path) and what is wrong with it."""

    path: str
    message: str

    def line(self) -> str:
        return f"{self.path}: {self.message}"


class DocumentError(ValueError):
    """A document that cannot be used, with one problem per bad field (or one for the whole file)."""

    def __init__(self, problems: Iterable[FieldProblem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [problem.line() for problem in self.problems]


def json_path(loc: Iterable[int | str], root: str = "$") -> str:
    """`("study_events", "SE.VISIT 1")` as `$.study_events['SE.VISIT 1']`; list positions as `[0]`."""
    path = root
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif IDENTIFIER.match(part):
            path += f".{part}" if path else part
        else:
            path += "[" + repr(part) + "]"
    return path or "$"


def field_problems(
    error: ValidationError, *, root: str = "$", keys: Iterable[str] = ()
) -> list[FieldProblem]:
    """One FieldProblem per pydantic error, in the document's order; `keys` are offered for unknown ones."""
    known = ", ".join(keys)
    found = []
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        message = MESSAGES.get(detail["type"]) or _plain(detail["msg"])
        if detail["type"] == "extra_forbidden" and known and len(loc) == 1:
            message += f"; use {known}"
        found.append(FieldProblem(json_path(loc, root), message))
    return found


def validate(model: type[Model], raw: Any, *, root: str = "$", context: Mapping | None = None) -> Model:
    """`raw` (parsed JSON) as `model`; DocumentError naming every bad field otherwise."""
    try:
        return model.model_validate(raw, context=dict(context or {}))
    except ValidationError as error:
        raise DocumentError(field_problems(error, root=root, keys=model.model_fields)) from None


def read_json(path: str | Path, *, root: str = "$") -> Any:
    """The parsed JSON of a file; DocumentError with one problem when it cannot be read or parsed."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DocumentError([FieldProblem(root or "$", f"cannot read {path}: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise DocumentError([FieldProblem(root or "$", f"{path} is not UTF-8 text")]) from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise DocumentError(
            [FieldProblem(root or "$", f"{path} is not valid JSON ({error.msg} at {where})")]
        ) from None


def problems_at(problems: Mapping[tuple[int | str, ...], str], value: Any = None) -> ValidationError:
    """A ValidationError naming each location (a tuple of keys) with its message: raise it from a model
    validator for a check across fields, so that the field the person must change is the one named."""
    details = [
        InitErrorDetails(type=PydanticCustomError("consistency", message), loc=loc, input=value)
        for loc, message in problems.items()
    ]
    return ValidationError.from_exception_data("document", details)


def _plain(message: str) -> str:
    """pydantic's message without its 'Value error, ' prefix (what our validators raise is the message)."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message.removeprefix(prefix)
    return message
