"""requirements.lock and requirements-test.lock pin what pyproject.toml asks for, and nothing else.

`make install` and `make install-test` install only from these locks, so a validated installation can be
reproduced (the holidays and scipy versions change computed deadlines and statistics). After changing a
dependency in pyproject.toml run `make lock`. Offline: the dependency tree is read from the metadata of
the installed distributions, which `make install-test` installed from the same locks.
"""

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Each lock file and the extras of pyproject.toml it covers.
LOCKS = {"requirements.lock": (), "requirements-test.lock": ("test",)}
FIX = "run `make lock` (and `make install-test`), then commit the lock files"


def pins(lock: str) -> dict[str, Requirement]:
    """The `name==version [; marker]` lines of a lock file by canonical name, without hashes and comments."""
    text = (ROOT / lock).read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].split(" --hash", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            found[canonicalize_name(requirement.name)] = requirement
    return found


def pinned_version(requirement: Requirement) -> Version:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not pinned to one version"
    return Version(specifier.version)


def applies(requirement: Requirement, extras) -> bool:
    return requirement.marker is None or any(requirement.marker.evaluate({"extra": e}) for e in extras)


def direct_requirements(extras: tuple[str, ...]) -> list[Requirement]:
    wanted = [(text, "") for text in PROJECT["dependencies"]]
    wanted += [(text, extra) for extra in extras for text in PROJECT["optional-dependencies"][extra]]
    return [r for r, extra in ((Requirement(text), extra) for text, extra in wanted) if applies(r, {extra})]


def reachable(requirements: list[Requirement]) -> set[str]:
    """Every distribution the requirements need here, walking the installed distributions' metadata."""
    extras_of: dict[str, set[str]] = {}
    todo = list(requirements)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = {"", *requirement.extras}
        if extras <= extras_of.get(name, set()):
            continue
        extras_of.setdefault(name, set()).update(extras)
        try:
            needs = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            pytest.fail(f"{name} is needed but not installed: {FIX}")
        todo += [r for r in map(Requirement, needs) if applies(r, extras_of[name])]
    return set(extras_of)


@pytest.mark.parametrize("lock", LOCKS)
def test_every_requirement_of_pyproject_is_pinned_to_a_version_it_allows(lock):
    locked = pins(lock)
    for requirement in direct_requirements(LOCKS[lock]):
        pin = locked.get(canonicalize_name(requirement.name))
        assert pin, f"{requirement} (pyproject.toml) is not in {lock}: {FIX}"
        version = pinned_version(pin)
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {pin.name}=={version}, which pyproject.toml's {requirement} refuses: {FIX}"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_pins_exactly_what_pyproject_needs_here(lock):
    locked = {name for name, pin in pins(lock).items() if applies(pin, {""})}
    needed = reachable(direct_requirements(LOCKS[lock]))
    assert not needed - locked, f"needed but not pinned in {lock}: {sorted(needed - locked)}; {FIX}"
    assert not locked - needed, f"pinned in {lock} but needed by nothing: {sorted(locked - needed)}; {FIX}"


def test_installed_versions_are_the_locked_ones():
    """The walk above reads installed metadata, so it is only honest when the venv is the lock."""
    for name, pin in pins("requirements-test.lock").items():
        if applies(pin, {""}):
            installed = Version(metadata.version(name))
            assert installed == pinned_version(pin), (
                f"{name} {installed} is installed, requirements-test.lock pins {pin}: "
                "run `.venv/bin/pip install --require-hashes -r requirements-test.lock`"
            )


def test_run_and_test_installations_share_every_version():
    run, test = pins("requirements.lock"), pins("requirements-test.lock")
    missing = sorted(run.keys() - test.keys())
    assert not missing, f"in requirements.lock, not in requirements-test.lock: {missing}; {FIX}"
    differ = sorted(f"{run[name]} / {test[name]}" for name in run if str(run[name]) != str(test[name]))
    assert not differ, f"requirements.lock / requirements-test.lock differ: {differ}; {FIX}"
