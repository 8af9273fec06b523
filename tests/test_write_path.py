"""Regulated records change only through core.records (validate, version, save and audit together).

The test reads the source (AST) of src/trialdesk, not the tests or migrations, and flags every call that
writes a regulated model (one inheriting core.models.RegulatedRecord, and AuditEvent) outside
core/records.py: `.save()`, `.delete()`, `.update()`, `.create()`, `bulk_create`, `bulk_update`,
`get_or_create`, `update_or_create`, and raw SQL that INSERTs, UPDATEs or DELETEs. It is a heuristic:
it knows a regulated model by name (`Study.objects...`, `Study(...)`), a related manager by its name
(`site.participants.create(...)`), and a local variable by what was assigned to it or its annotation.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "trialdesk"
THE_WRITE_PATH = "core/records.py"

# Each exception: (file under src/trialdesk, function) -> why it may write without core.records.
ALLOWED = {
    # The audit trail appends its own events (hash-chained, insert-only); core.records calls it.
    ("core/audit/trail.py", "record"): "appends the AuditEvent that every write path records",
    ("core/audit/trail.py", "record_many"): "one AuditEvent per record of a batch (records.create_records)",
    # Visits for many participants at once in set-based SQL, audited per site: docs/adr/0004.
    ("visits/services/scheduling.py", "_insert_visits"): "bulk visit scheduling, docs/adr/0004",
    # Payables generated from the work done in multi-row INSERTs, audited per site: docs/adr/0005.
    ("finance/services/payables.py", "_insert_lines"): "bulk payable generation, docs/adr/0005",
}

WRITE_METHODS = {
    "save",
    "delete",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# Calls that hand back a model instance or a queryset of the model they are called on.
READ_METHODS = {
    "all",
    "filter",
    "exclude",
    "get",
    "first",
    "last",
    "latest",
    "earliest",
    "select_related",
    "prefetch_related",
    "select_for_update",
    "order_by",
    "only",
    "defer",
    "annotate",
    "distinct",
    "visible_to",
    "using",
}
LOOK_UPS = {"get_object_or_404", "visible_or_404"}  # (Model or queryset, ...) -> an instance
RAW_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|MERGE\s+INTO)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    function: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}(): {self.what}"


def regulated_models() -> tuple[set[str], set[str]]:
    """Names of the regulated models, and the names of the related managers that lead to them."""
    from django.apps import apps

    from trialdesk.core.models import AuditEvent, RegulatedRecord

    names, accessors = set(), set()
    for model in apps.get_models():
        if not (issubclass(model, RegulatedRecord) or model is AuditEvent):
            continue
        names.add(model.__name__)
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and (field.many_to_one or field.many_to_many):
                accessor = field.remote_field.get_accessor_name()
                if accessor and not accessor.endswith("+"):
                    accessors.add(accessor)
    return names, accessors


class WriteFinder(ast.NodeVisitor):
    """Walks one module; `findings` lists each write to a regulated model."""

    def __init__(self, path: str, models: set[str], accessors: set[str]):
        self.path, self.models, self.accessors = path, models, accessors
        self.function = ""  # qualified: "Class.method", "outer.inner"
        self.typed: dict[str, str] = {}  # local name -> regulated model it holds (or a queryset of)
        self.findings: list[Finding] = []

    # -- scopes ---------------------------------------------------------------------------------------

    def visit_FunctionDef(self, node):
        outer = (self.function, self.typed)
        self.function = f"{self.function}.{node.name}" if self.function else node.name
        self.typed = dict(self.typed)
        for arg in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
            model = self._annotated_model(arg.annotation)
            if model:
                self.typed[arg.arg] = model
        self.generic_visit(node)
        self.function, self.typed = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        outer = self.function
        self.function = f"{outer}.{node.name}" if outer else node.name
        self.generic_visit(node)
        self.function = outer

    def _annotated_model(self, annotation) -> str | None:
        if annotation is None:
            return None
        for node in ast.walk(annotation):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if name in self.models:
                return name
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in self.models:
                return node.value
        return None

    # -- what a name holds ----------------------------------------------------------------------------

    def _model_of(self, node) -> str | None:
        """The regulated model an expression is an instance, manager or queryset of, if it can tell."""
        if isinstance(node, ast.Name):
            return node.id if node.id in self.models else self.typed.get(node.id)
        if isinstance(node, ast.Attribute):
            if node.attr == "objects":
                return self._model_of(node.value)
            if node.attr in self.accessors:
                return f"related manager .{node.attr}"
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in self.models:
                return func.id  # Model(...)
            if isinstance(func, ast.Name) and func.id in LOOK_UPS and node.args:
                return self._model_of(node.args[0])
            if isinstance(func, ast.Attribute) and func.attr in READ_METHODS | {"create", "get_or_create"}:
                return self._model_of(func.value)
        if isinstance(node, ast.Subscript):
            return self._model_of(node.value)
        return None

    def _remember(self, target, value_model: str | None) -> None:
        if isinstance(target, ast.Name):
            if value_model:
                self.typed[target.id] = value_model
            else:
                self.typed.pop(target.id, None)
        elif isinstance(target, ast.Tuple):
            for element in target.elts:
                self._remember(element, None)

    def visit_Assign(self, node):
        self.generic_visit(node)
        model = self._model_of(node.value)
        for target in node.targets:
            self._remember(target, model)

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        self._remember(node.target, self._annotated_model(node.annotation) or self._model_of(node.value))

    def visit_For(self, node):
        self._remember(node.target, self._model_of(node.iter))
        self.generic_visit(node)

    def visit_With(self, node):
        self.generic_visit(node)

    # -- writes ---------------------------------------------------------------------------------------

    def visit_Call(self, node):
        func = node.func
        # QuerySet.update takes keywords only: `something.update(a_dict)` is a dict or a set.
        positional_update = func.attr == "update" and node.args if isinstance(func, ast.Attribute) else False
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS and not positional_update:
            model = self._model_of(func.value)
            if model:
                self._found(node, f"{model}: .{func.attr}()")
        self.generic_visit(node)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring may describe SQL
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and RAW_WRITE.search(node.value):
            self._found(node, f"raw SQL {RAW_WRITE.search(node.value).group(0)!r}")

    def _found(self, node, what: str) -> None:
        self.findings.append(Finding(self.path, node.lineno, self.function or "<module>", what))


def find_writes(source: str, path: str, models: set[str], accessors: set[str]) -> list[Finding]:
    finder = WriteFinder(path, models, accessors)
    finder.visit(ast.parse(source))
    return finder.findings


def production_modules():
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        parts = set(path.relative_to(SOURCE).parts)
        if "tests" in parts or "migrations" in parts or relative == THE_WRITE_PATH:
            continue
        yield relative, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def every_write():
    models, accessors = regulated_models()
    return [
        finding
        for relative, source in production_modules()
        for finding in find_writes(source, relative, models, accessors)
    ]


def allowed(finding: Finding) -> tuple[str, str] | None:
    """The ALLOWED entry covering a finding: its file and function, or a function it is nested in."""
    names = finding.function.split(".")
    for depth in range(1, len(names) + 1):
        key = (finding.path, ".".join(names[:depth]))
        if key in ALLOWED:
            return key
    return None


def test_regulated_records_are_written_only_through_core_records(every_write):
    outside = [str(f) for f in every_write if allowed(f) is None]
    assert outside == [], (
        "Write regulated records with core.records.create_record / update_record / delete_record "
        "(or add a commented entry to ALLOWED):\n" + "\n".join(outside)
    )


def test_every_allowed_exception_still_exists(every_write):
    used = {allowed(f) for f in every_write}
    assert sorted(set(ALLOWED) - used) == []


# The finder itself: each way of writing that it must catch, and reads it must leave alone.
CAUGHT = """
def f(site, study: Study, pk):
    Study.objects.create(code="X")
    Study.objects.filter(pk=pk).update(title="t")
    Participant.objects.filter(pk=pk).delete()
    Participant.objects.bulk_create([])
    ScheduledVisit.objects.bulk_update([], ["status"])
    Arm.objects.get_or_create(study=study)
    Arm.objects.update_or_create(study=study)
    study.save()
    visit = ScheduledVisit.objects.get(pk=pk)
    visit.delete()
    draft = Consent(participant=None)
    draft.save()
    site.participants.create(number="1")
    for event in AuditEvent.objects.all():
        event.save()
    cursor.execute("UPDATE visits_scheduledvisit SET status = 'done'")
    cursor.execute(f"INSERT INTO {table} (a) VALUES (1)")
"""
LEFT_ALONE = '''
def f(user, form, pk):
    """INSERT one visit per participant (a docstring may say so)."""
    User.objects.create(username="u")
    user.save()
    form.save()
    Session.objects.filter(pk=pk).delete()
    errors.update({"a": 1})
    self.participants.update({1: None})
    study = Study.objects.get(pk=pk)
    study = make_copy(study)
    study.save()
    cursor.execute("SELECT 1")
'''


def test_the_finder_catches_each_kind_of_write():
    models = {"Study", "Participant", "ScheduledVisit", "Arm", "Consent", "AuditEvent"}
    found = find_writes(CAUGHT, "x.py", models, {"participants"})
    assert [f.line for f in found] == [3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 17, 18, 19]
    assert find_writes(LEFT_ALONE, "x.py", models, {"participants"}) == []
