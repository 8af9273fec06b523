"""API schemas of the CDISC ODM import: its query and what it answers."""

from ninja import Schema


class OdmImportQuery(Schema):
    dry_run: bool = False


class OdmWarningOut(Schema):
    where: str
    message: str


class OdmImportOut(Schema):
    dry_run: bool
    subjects: int
    visits_recorded: int
    visits_planned: int
    visits_unchanged: int
    status_changes: int
    status_changes_planned: int
    warnings: list[OdmWarningOut]
