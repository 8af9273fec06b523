"""Rules about the repository itself, from STYLE.md, checked so they stay true."""

import ast
import io
from pathlib import Path

from django.apps import apps
from django.core.management import call_command

SOURCE = Path(__file__).resolve().parent.parent / "src" / "trialdesk"


def python_files(folder: Path):
    return [p for p in folder.rglob("*.py") if "migrations" not in p.parts]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_analytics_and_interop_import_no_django():
    for package in ("analytics", "interop"):
        for path in python_files(SOURCE / package):
            offenders = {m for m in imported_modules(path) if m.split(".")[0] in {"django", "ninja"}}
            offenders |= {
                m
                for m in imported_modules(path)
                if m.startswith("trialdesk.") and m.split(".")[1] not in {"analytics", "interop"}
            }
            assert not offenders, f"{path.relative_to(SOURCE)} imports {sorted(offenders)}"


def test_no_naive_now():
    for path in python_files(SOURCE):
        text = path.read_text(encoding="utf-8")
        for needle in ("datetime.now()", "datetime.utcnow(", "date.today()"):
            assert needle not in text, f"{path.relative_to(SOURCE)} uses {needle}; use django.utils.timezone"


CLOCK_READS = {"now", "today", "utcnow", "localdate", "localtime"}


def clock_reads_at_import(tree: ast.Module) -> list[int]:
    """Lines that read the clock when the module is imported: at module or class level, in a decorator
    or in a default argument (a test collected at 21:59 then runs with yesterday's date)."""
    found: list[int] = []

    def reads(node) -> None:
        if isinstance(node, ast.Lambda):
            return  # runs when called
        func = getattr(node, "func", None)
        if isinstance(node, ast.Call) and getattr(func, "attr", getattr(func, "id", None)) in CLOCK_READS:
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            reads(child)

    def walk(node) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for evaluated in [*child.decorator_list, *child.args.defaults, *child.args.kw_defaults]:
                    if evaluated is not None:
                        reads(evaluated)
            elif isinstance(child, ast.ClassDef | ast.If | ast.For | ast.With | ast.Try | ast.While):
                walk(child)
            else:
                reads(child)

    walk(tree)
    return found


def test_tests_read_the_clock_inside_tests_not_at_import():
    root = SOURCE.parent.parent
    test_files = [*SOURCE.rglob("tests/**/*.py"), *(root / "tests").rglob("*.py"), root / "conftest.py"]
    offenders = {
        f"{path.relative_to(root)}:{line}"
        for path in test_files
        for line in clock_reads_at_import(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert sorted(offenders) == [], "read the time inside the test, or use the `clock` fixture"


def test_the_import_time_clock_check_sees_module_class_decorator_and_default_reads():
    tree = ast.parse(
        "TODAY = timezone.now().date()\n"
        "class Case:\n    when = date.today()\n"
        "@pytest.mark.parametrize('d', [dt.datetime.now(dt.UTC)])\n"
        "def test_a(d, on=timezone.localdate()):\n    today = date.today()\n"
        "if date.today().weekday():\n    LATER = datetime.now()\n"
        "LATER = lambda: date.today()\n"
    )
    assert clock_reads_at_import(tree) == [1, 3, 4, 5, 7, 8]


def test_every_module_starts_with_a_docstring():
    for path in python_files(SOURCE):
        if path.stat().st_size == 0:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.relative_to(SOURCE)} has no module docstring"


def test_every_model_has_a_docstring():
    for model in apps.get_models():
        if model.__module__.startswith("trialdesk."):
            assert model.__doc__ and not model.__doc__.startswith(model.__name__ + "("), (
                f"{model.__name__} has no docstring"
            )


def test_migrations_are_up_to_date(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, verbosity=1)  # exits 1 on changes
    assert "No changes detected" in out.getvalue()
