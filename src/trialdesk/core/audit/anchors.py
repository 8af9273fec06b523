"""Anchors: the head of the audit chain (event id, hash, number of events), signed with the audit key and
kept outside the database, so that deleting the newest events is seen.

The chain itself cannot show a deleted tail: what is left still links up. An anchor is one line of JSON,
appended to a file that the database's users cannot write (`trialdesk audit anchor -o FILE`, from cron),
printed for publishing, or written into a backup's manifest. `trialdesk audit verify --anchors FILE` then
requires every anchored event to be in the trail with the anchored hash.
"""

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from trialdesk.core.audit import keys
from trialdesk.core.audit.trail import GENESIS_HASH, plain_value
from trialdesk.core.models import AuditEvent


@dataclass(frozen=True)
class Anchor:
    event_id: int  # 0: the trail was empty
    hash: str
    events: int
    anchored_at: str
    key_id: str
    signature: str = ""

    def signed_content(self) -> str:
        content = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(content, sort_keys=True, separators=(",", ":"))

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def sign(*, event_id: int, hash: str, events: int, ring: keys.KeyRing | None = None) -> Anchor:
    """An anchor of the given head, signed with the current signing key."""
    ring = ring or keys.keyring(create=True)
    unsigned = Anchor(event_id, hash, events, plain_value(timezone.now()), ring.signing_key_id)
    return Anchor(**{**asdict(unsigned), "signature": ring.mac(unsigned.key_id, unsigned.signed_content())})


def current_head() -> tuple[int, str, int]:
    """(id, hash, number of events) of the newest event, read in one transaction; (0, genesis, 0) if none."""
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        count = AuditEvent.objects.count()
    return (*(head or (0, GENESIS_HASH)), count)


def anchor_now() -> Anchor:
    event_id, head_hash, events = current_head()
    return sign(event_id=event_id, hash=head_hash, events=events)


def append(path: Path, anchor: Anchor) -> None:
    """Add the anchor as one line at the end of `path` (created if missing), synced to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(anchor.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def parse(line: str) -> Anchor:
    """One anchor line; ValueError naming what is wrong."""
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg})") from None
    fields = set(Anchor.__dataclass_fields__)
    if not isinstance(document, dict) or set(document) != fields:
        raise ValueError(f"not an anchor (expected the fields {', '.join(sorted(fields))})")
    if not isinstance(document["event_id"], int) or not isinstance(document["events"], int):
        raise ValueError("event_id and events must be whole numbers")
    return Anchor(**document)


def signature_problem(anchor: Anchor, ring: keys.KeyRing) -> str | None:
    try:
        expected = ring.mac(anchor.key_id, anchor.signed_content())
    except keys.UnknownKey:
        return f"key unknown: {anchor.key_id!r}"
    if expected != anchor.signature:
        return "signature does not match (the anchor was altered or not made with this key)"
    return None


def read(path: Path) -> tuple[list[tuple[str, Anchor]], list[str]]:
    """The anchors of a file, each with where it came from ("FILE line N"), and a problem per bad line."""
    anchors, problems = [], []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return [], [f"anchors {path}: cannot be read ({error.strerror})"]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            anchors.append((where, parse(line)))
        except ValueError as error:
            problems.append(f"anchor {where}: {error}")
    return anchors, problems


def check(anchors: Iterable[tuple[str, Anchor]], ring: keys.KeyRing | None = None) -> tuple[int, list[str]]:
    """Check signed anchors against the trail: (anchors checked, one problem per line found).

    An anchored event that is no longer in the trail means events were deleted: the problem names the
    missing range, from the event after the last one still there up to the newest anchored event.
    """
    ring = ring or keys.keyring()
    problems, valid = [], []
    for where, anchor in anchors:
        problem = signature_problem(anchor, ring)
        if problem:
            problems.append(f"anchor {where}: {problem}")
        elif anchor.event_id > 0:
            valid.append((where, anchor))
    stored = _hashes_of([anchor.event_id for _, anchor in valid])
    missing = [(where, anchor) for where, anchor in valid if anchor.event_id not in stored]
    for where, anchor in valid:
        if anchor.event_id in stored and stored[anchor.event_id] != anchor.hash:
            problems.append(
                f"anchor {where}: event #{anchor.event_id} no longer has the hash anchored on "
                f"{anchor.anchored_at} (the trail was rewritten up to there)"
            )
    if missing:
        problems.append(_missing_range(missing))
    return len(valid), problems


def _hashes_of(event_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    wanted = sorted(set(event_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(AuditEvent.objects.filter(id__in=chunk).values_list("id", "hash"))
    return found


def _missing_range(missing: list[tuple[str, Anchor]]) -> str:
    lowest = min(anchor.event_id for _, anchor in missing)
    where, newest = max(missing, key=lambda item: item[1].event_id)
    before = (
        AuditEvent.objects.filter(id__lt=lowest).order_by("-id").values_list("id", flat=True).first() or 0
    )
    after = (
        AuditEvent.objects.filter(id__gt=newest.event_id).order_by("id").values_list("id", flat=True).first()
    )
    if after:
        now = f"the trail goes from #{before} to #{after}"
    else:
        now = f"the trail now ends at #{before}" if before else "the trail is now empty"
    also = f"; {len(missing)} anchored events missing" if len(missing) > 1 else ""
    return (
        f"audit events #{before + 1}–#{newest.event_id} missing: {now}, but event #{newest.event_id} "
        f"was anchored on {newest.anchored_at} ({where}{also})"
    )
