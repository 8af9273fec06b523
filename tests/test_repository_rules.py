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
