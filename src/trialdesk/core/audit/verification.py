"""Everything `trialdesk audit verify` checks, in one call that `trialdesk restore` makes too: the chain
and its keys, anchors, record drift and the database's integrity. Each finding is one line."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trialdesk.core.audit import anchors as anchoring
from trialdesk.core.audit import drift, integrity, keys
from trialdesk.core.audit.trail import ChainReport, verify_chain
from trialdesk.core.models import AuditEvent

UNKEYED_NOTE = "only keyed events resist a database-level attacker"


@dataclass
class Verification:
    checked: list[str] = field(default_factory=list)  # what was checked and found sound
    problems: list[str] = field(default_factory=list)
    chain: ChainReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    *,
    anchor_files: Iterable[Path] = (),
    extra_anchors: Iterable[tuple[str, anchoring.Anchor]] = (),
    records: bool = True,
) -> Verification:
    result = Verification()
    ring = keys.keyring()
    _chain(result, ring)
    _anchors(result, ring, anchor_files, list(extra_anchors))
    if records:
        _records(result)
    _integrity(result)
    return result


def _chain(result: Verification, ring: keys.KeyRing) -> None:
    report = result.chain = verify_chain(ring=ring)
    if report.first_break is None:
        result.checked.append(f"audit chain intact: {report.events_checked} events")
    else:
        broken = report.first_break
        event = AuditEvent.objects.filter(pk=broken.event_id).first()
        what = f"{event.action} {event.object_type}:{event.object_id}" if event else "missing event"
        result.problems.append(
            f"audit chain broken at event #{broken.event_id} ({what}): {broken.problem} "
            f"({report.events_checked} events checked)"
        )
    for use in report.unknown_keys:
        result.problems.append(
            f"key unknown: {use.key_id!r} signed events #{use.first_event_id}–#{use.last_event_id} "
            f"({use.events} events), which cannot be checked without it (TRIALDESK_AUDIT_KEYS)"
        )
    keyed = f"{report.keyed} events keyed ({', '.join(ring.ids()) or 'no key configured'})"
    if report.unkeyed:
        keyed += f"; {report.unkeyed} unkeyed events from before audit keys ({UNKEYED_NOTE})"
    result.checked.append(f"audit keys: {keyed}")


def _anchors(result: Verification, ring, anchor_files: Iterable[Path], extra: list) -> None:
    found = list(extra)
    for path in anchor_files:
        read, problems = anchoring.read(Path(path))
        found += read
        result.problems += problems
        if not read and not problems:
            result.problems.append(f"anchors {path}: no anchor in the file")
    if not found:
        return
    checked, problems = anchoring.check(found, ring)
    result.problems += problems
    if not problems:
        newest = max((a for _, a in found), key=lambda a: a.event_id)
        result.checked.append(
            f"audit anchors: {checked} {'anchor holds' if checked == 1 else 'anchors hold'}, "
            f"the newest at event #{newest.event_id} "
            f"({newest.anchored_at})"
        )


def _records(result: Verification) -> None:
    report = drift.check_records()
    result.problems += report.problems
    result.checked += [f"records: note: {note}" for note in report.notes]
    if not report.problems:
        result.checked.append(
            f"records: {report.records_checked} regulated records of {report.models_checked} types "
            "match their audit events"
        )


def _integrity(result: Verification) -> None:
    report = integrity.check_database()
    if not report.available:
        result.checked.append(f"database integrity: {report.method}")
    elif report.ok:
        result.checked.append(f"database integrity: ok ({report.method})")
    else:
        result.problems += [f"{line} ({report.method})" for line in report.problems]
