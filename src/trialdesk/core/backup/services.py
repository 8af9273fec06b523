"""`trialdesk backup` and `trialdesk restore`: what each does, in order, and what it reports."""

import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from trialdesk.core.audit import anchors, keys, plain_value, verification
from trialdesk.core.backup import archive, databases

DOCUMENTS = "documents"


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def backup(output: Path, *, anchor_file: Path | None = None) -> Outcome:
    """Copy the database (consistently, while others write), then the documents, into `output`, with a
    signed manifest and an anchor of the copy's audit head (also appended to `anchor_file` if given)."""
    ring = keys.keyring(create=True)
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix=".trialdesk-backup-", dir=output.parent) as folder:
        copy = databases.snapshot(Path(folder))
        members = {f"database/{copy.path.name}": copy.path}
        # After the database: every document the copy refers to was stored before it was taken.
        members.update(_documents())
        anchor = anchors.sign(event_id=copy.head_id, hash=copy.head_hash, events=copy.events, ring=ring)
        manifest = {
            "format": archive.FORMAT,
            "created_at": plain_value(timezone.now()),
            "database": {"vendor": copy.vendor, "member": f"database/{copy.path.name}"},
            "tables": copy.tables,
            "audit": {"head_id": copy.head_id, "head_hash": copy.head_hash, "events": copy.events},
            "anchor": asdict(anchor),
            "members": {name: archive.file_digest(path) for name, path in members.items()},
        }
        archive.write(output, archive.sign(manifest, ring), members)
    if anchor_file is not None:
        anchors.append(anchor_file, anchor)
        outcome.done.append(f"anchor appended to {anchor_file}")
    rows, documents = sum(copy.tables.values()), len(members) - 1
    outcome.done.insert(
        0,
        f"backup written to {output}: {copy.vendor} database ({rows} rows in {len(copy.tables)} tables), "
        f"{documents} documents, audit head #{copy.head_id} ({copy.events} events)",
    )
    return outcome


def _documents() -> dict[str, Path]:
    root = data_dir() / DOCUMENTS
    if not root.is_dir():
        return {}
    return {
        f"{DOCUMENTS}/{path.relative_to(root).as_posix()}": path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def not_empty() -> list[str]:
    """Why the data directory (and database) cannot receive a restore; empty when it can. The audit key
    file may be there: it is not in backups, and the restored trail needs it."""
    problems = []
    folder = data_dir()
    if folder.exists():
        found = sorted(
            p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if p.name != keys.KEY_FILE_NAME
        )
        if found:
            shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
            problems.append(
                f"the data directory {folder} is not empty ({shown}): restore only into an empty one"
            )
    in_data_dir = connection.vendor == "sqlite" and databases.sqlite_path().parent == folder
    reason = databases.database_is_empty()
    if reason and not (in_data_dir and problems):
        problems.append(f"{reason}: restore only into an empty database")
    return problems


def restore(source: Path, *, anchor_files: list[Path] = ()) -> Outcome:
    """Check the target is empty and the archive sound, put the database and documents in place, then
    verify integrity, the counts, the audit head and chain, anchors and records; each finding one line."""
    outcome = Outcome(problems=not_empty())
    if outcome.problems:
        return outcome
    unpacked = archive.read_manifest(source)
    outcome.problems += unpacked.problems
    if not outcome.problems:
        problem = archive.signature_problem(unpacked.manifest, keys.keyring())
        outcome.problems += [problem] if problem else []
    vendor = unpacked.manifest.get("database", {}).get("vendor")
    if not outcome.problems and vendor != connection.vendor:
        outcome.problems.append(
            f"the backup holds a {vendor} database; this installation uses {connection.vendor}"
        )
    if outcome.problems:
        return outcome
    manifest = unpacked.manifest
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".restore-{secrets.token_hex(4)}"
    try:
        outcome.problems += archive.unpack(source, manifest, staging)
        if not outcome.problems:
            outcome.done.append(f"archive checked: {len(manifest['members'])} members match the manifest")
            _put_in_place(staging, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not outcome.problems:
        _verify_restored(manifest, anchor_files, outcome)
        if outcome.problems:
            outcome.problems.append(
                f"the restored data in {folder} is NOT verified: remove it (and empty the database) "
                "before restoring again"
            )
    return outcome


def _put_in_place(staging: Path, manifest: dict) -> None:
    database = staging / manifest["database"]["member"]
    connection.close()
    if connection.vendor == "sqlite":
        target = databases.sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(database), str(target))
    else:
        databases.restore_postgres(database)
    if (staging / DOCUMENTS).is_dir():
        archive.move_tree(staging / DOCUMENTS, data_dir() / DOCUMENTS)
    connection.close()


def _verify_restored(manifest: dict, anchor_files: list[Path], outcome: Outcome) -> None:
    tables, (head_id, head_hash, events) = databases.database_facts()
    for table, count in sorted(manifest["tables"].items()):
        if tables.get(table) != count:
            outcome.problems.append(
                f"table {table}: {tables.get(table)} rows restored, {count} in the manifest"
            )
    audit = manifest["audit"]
    if (head_id, head_hash, events) != (audit["head_id"], audit["head_hash"], audit["events"]):
        outcome.problems.append(
            f"audit head: #{head_id} of {events} events restored, the manifest says #{audit['head_id']} "
            f"of {audit['events']} with another hash"
        )
    anchor = anchors.Anchor(**manifest["anchor"])
    result = verification.verify(anchor_files=anchor_files, extra_anchors=[("of the backup", anchor)])
    outcome.done += result.checked
    outcome.problems += result.problems
