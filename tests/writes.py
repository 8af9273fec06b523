"""A check for refused writes: after `with nothing_written():` no Trialdesk table gained or lost a row and
no audit event was appended (every change of a regulated record appends one: tests/test_write_path.py)."""

from contextlib import contextmanager

from django.apps import apps


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("trialdesk.")
    }


@contextmanager
def nothing_written():
    before = row_counts()
    yield
    after = row_counts()
    changed = {label: (n, after[label]) for label, n in before.items() if n != after[label]}
    assert changed == {}, f"a refused write changed the database (rows before, after): {changed}"
