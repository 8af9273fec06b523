"""API schemas of the bulk import: the plan of a file, its rows, changes and problems."""

from ninja import Field, Schema


class ChangeOut(Schema):
    field: str
    old: str
    new: str


class PlannedRowOut(Schema):
    row: int = Field(description="The row's number in the spreadsheet (the header is row 1).")
    action: str = Field(description="create, update or unchanged")
    label: str
    changes: list[ChangeOut]


class ProblemOut(Schema):
    row: int | None
    column: str | None
    message: str
    located: str = Field(description='The problem with its place, e.g. "sites.xlsx row 4, column Status: …".')


class ImportPlanOut(Schema):
    kind: str
    filename: str
    study_id: int | None
    applied: bool
    can_apply: bool
    created: int
    changed: int
    unchanged: int
    ignored_columns: list[str]
    rows: list[PlannedRowOut]
    problems: list[ProblemOut]
