"""What input Trialdesk accepts as text, dates and numbers, wherever it comes from (the API, a page, an
import, a command): plain functions over values, used by the API's input schemas (core.apiutils) and by
the write path (core.records).

Pydantic's lax mode reads `0` as 1970-01-01, `"1798761600"` as a date in 2027 and `true` as 1; JSON
clients must say what they mean, so the API's bodies take a date only as an ISO date string, a
date-time only as an ISO 8601 string and a number only as a JSON number.
"""

import datetime as dt
import enum
import re
import types
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types

# Free text longer than this is refused unless its field sets a limit of its own: no form, import or
# client has a reason to send a narrative of a book's length, and the audit trail copies every value.
TEXT_LIMIT = 20_000

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?")

DATE_FORMAT = "Give the date as an ISO 8601 date, YYYY-MM-DD (e.g. 2025-03-01)."
DATE_TIME_FORMAT = "Give the date and time as ISO 8601, e.g. 2025-03-01T14:30:00+01:00."
WHOLE_NUMBER = "Give a whole number (a JSON number, not text or true/false)."
NUMBER = "Give a number (a JSON number, not text or true/false)."
TRUE_OR_FALSE = "Give true or false."


def text_problem(value: Any, *, limit: int | None = TEXT_LIMIT) -> str | None:
    """Why text in `value` (a string, or strings inside lists and objects) cannot be stored, or None.
    `limit` is the most characters a string may have (None: checked elsewhere)."""
    if isinstance(value, str):
        if "\x00" in value:
            return "Text may not contain NUL characters."
        if _has_lone_surrogate(value):
            return "Text may not contain a lone surrogate (an invalid Unicode character)."
        if limit is not None and len(value) > limit:
            return f"At most {limit:,} characters (this has {len(value):,})."
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    return next((p for p in (text_problem(item, limit=limit) for item in items) if p), None)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def declared_max_length(field) -> int:
    """The longest text a pydantic field takes: its own max_length, else TEXT_LIMIT."""
    for item in field.metadata:
        if isinstance(item, annotated_types.MaxLen):
            return item.max_length
    return TEXT_LIMIT


def iso_problem(annotation: Any, value: Any) -> str | None:
    """Why a string given for a date or date-time field is not written the ISO 8601 way, or None."""
    if not isinstance(value, str):
        return None
    kinds = _plain_types(annotation)
    if dt.datetime in kinds:
        return None if ISO_DATE_TIME.fullmatch(value) else DATE_TIME_FORMAT
    if dt.date in kinds and str not in kinds:
        return None if ISO_DATE.fullmatch(value) else DATE_FORMAT
    return None


def json_type_problem(annotation: Any, value: Any) -> str | None:
    """Why a JSON value does not have the type of a field annotated `annotation`, or None when it does
    (or when pydantic's own checks will say what is wrong)."""
    if value is None:
        return None
    origin = get_origin(annotation)
    if origin is Annotated:
        return json_type_problem(get_args(annotation)[0], value)
    if origin in (Union, types.UnionType):
        problems = [json_type_problem(arg, value) for arg in get_args(annotation) if arg is not type(None)]
        return None if not problems or None in problems else problems[0]
    if origin in (list, tuple, set, frozenset):
        item = (get_args(annotation) or (Any,))[0]
        return _first_problem(item, value if isinstance(value, list) else [])
    if origin is dict:
        item = (get_args(annotation) or (Any, Any))[-1]
        return _first_problem(item, list(value.values()) if isinstance(value, dict) else [])
    return _scalar_problem(annotation, value)


def _first_problem(annotation: Any, values: list) -> str | None:
    return next((p for p in (json_type_problem(annotation, v) for v in values) if p), None)


def _scalar_problem(annotation: Any, value: Any) -> str | None:
    if annotation is bool:
        return None if isinstance(value, bool) else TRUE_OR_FALSE
    if annotation is int:
        return None if isinstance(value, int | float) and not isinstance(value, bool) else WHOLE_NUMBER
    if annotation is float:
        return None if isinstance(value, int | float) and not isinstance(value, bool) else NUMBER
    if annotation is Decimal:  # JSON numbers lose digits: a decimal may also come as text, "12.50"
        return None if isinstance(value, int | float | str) and not isinstance(value, bool) else NUMBER
    if annotation is dt.datetime:
        return None if isinstance(value, str) else DATE_TIME_FORMAT
    if annotation is dt.date:
        return None if isinstance(value, str) else DATE_FORMAT
    return None


def _plain_types(annotation: Any) -> set:
    """The plain types an annotation allows: `dt.date | None` gives {dt.date, NoneType}."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _plain_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return set().union(*(_plain_types(arg) for arg in get_args(annotation)))
    if origin is Literal or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return {str}
    return {annotation}


def document_text_limits(schema: dict, model: type) -> None:
    """Pydantic's json_schema_extra: each text property of an input schema states the longest text it
    takes, so the OpenAPI document says what the API accepts."""
    for name, prop in schema.get("properties", {}).items():
        field = model.model_fields.get(name)
        if field is None:
            continue
        for branch in prop.get("anyOf", [prop]):
            if branch.get("type") == "string" and "maxLength" not in branch and not _is_closed(branch):
                branch["maxLength"] = declared_max_length(field)


def _is_closed(branch: dict) -> bool:
    """An enum, a constant or a formatted string (date, date-time) needs no length."""
    return bool({"enum", "const", "format", "$ref"} & set(branch))
