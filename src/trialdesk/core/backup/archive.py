"""The backup archive: a gzip'd tar holding `manifest.json` first, then the database copy and the uploaded
documents. The manifest gives the counts per table, the audit head, an anchor of it, and the size and
SHA-256 of every member; it is signed with the audit key (HMAC-SHA-256), so an archive changed by
someone without the key is refused, as is one with a member missing, added or altered."""

import hashlib
import io
import json
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from trialdesk.core.audit import keys

FORMAT = "trialdesk-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


def file_digest(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def _signed_content(manifest: dict) -> str:
    return json.dumps(
        {k: v for k, v in manifest.items() if k != "signature"}, sort_keys=True, separators=(",", ":")
    )


def sign(manifest: dict, ring: keys.KeyRing) -> dict:
    key_id = ring.signing_key_id
    return {**manifest, "signature": {"key_id": key_id, "hmac": ring.mac(key_id, _signed_content(manifest))}}


def signature_problem(manifest: dict, ring: keys.KeyRing) -> str | None:
    signature = manifest.get("signature") or {}
    key_id = signature.get("key_id", "")
    try:
        expected = ring.mac(key_id, _signed_content(manifest))
    except keys.UnknownKey:
        return (
            f"manifest: signed with the audit key {key_id!r}, which is not configured here "
            "(set TRIALDESK_AUDIT_KEYS, or copy the installation's audit-keys file into the data directory)"
        )
    if expected != signature.get("hmac"):
        return "manifest: signature does not match (the manifest was altered)"
    return None


def write(output: Path, manifest: dict, members: dict[str, Path]) -> None:
    """Write the archive to `output` (through a temporary name, so a half-written archive never has it)."""
    partial = output.with_name(output.name + ".partial")
    body = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(body), 0o600
        archive.addfile(info, io.BytesIO(body))
        for name, path in members.items():
            archive.add(path, arcname=name, recursive=False)
    partial.replace(output)


@dataclass
class Unpacked:
    manifest: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_manifest(path: Path) -> Unpacked:
    result = Unpacked()
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                result.problems.append(f"{path}: not a Trialdesk backup ({MANIFEST} is not its first member)")
                return result
            result.manifest = json.loads(archive.extractfile(member).read())
    except (OSError, tarfile.TarError, json.JSONDecodeError) as error:
        result.problems.append(f"{path}: cannot be read as a Trialdesk backup ({error})")
        return result
    if result.manifest.get("format") != FORMAT:
        result.problems.append(f"manifest: format {result.manifest.get('format')!r}, expected {FORMAT!r}")
    return result


def unpack(path: Path, manifest: dict, folder: Path) -> list[str]:
    """Extract every member listed by the manifest into `folder`, checking size and SHA-256 as it goes;
    one problem per member missing, unexpected, unsafe or altered."""
    expected: dict = manifest.get("members", {})
    problems, seen = [], set()
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            name = member.name
            if name not in expected:
                problems.append(f"archive member {name}: not in the manifest")
                continue
            if not member.isfile() or not _safe(name):
                problems.append(f"archive member {name}: not a plain file with a safe name")
                continue
            seen.add(name)
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with archive.extractfile(member) as source, target.open("wb") as sink:
                while block := source.read(CHUNK):
                    digest.update(block)
                    size += len(block)
                    sink.write(block)
            if {"size": size, "sha256": digest.hexdigest()} != expected[name]:
                problems.append(f"archive member {name}: checksum does not match the manifest (altered)")
    problems += [f"archive member {name}: missing" for name in sorted(set(expected) - seen)]
    return problems


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (
        bool(parts)
        and not name.startswith("/")
        and ".." not in parts
        and parts[0] in {"database", "documents"}
    )


def move_tree(source: Path, target: Path) -> None:
    """Move a folder into place (a rename when on the same file system)."""
    shutil.move(str(source), str(target))
