"""The attacks of issue 12 §2 against the audit trail, each run and each named by `audit verify`.

A database-level attacker is simulated inside the test's transaction (rolled back afterwards): triggers
dropped or disabled, rows rewritten by SQL, hashes recomputed without the key.
"""

import base64
import json
import logging
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from trialdesk.core import audit, maintenance
from trialdesk.core.audit import anchors, keys, verification
from trialdesk.core.models import AuditEvent
from trialdesk.studies import services

OTHER_KEY = "other:" + base64.b64encode(b"o" * 32).decode()


def bypass_triggers() -> None:
    """What a database user with DDL rights does first (inside the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        else:
            for name in ("no_update", "no_delete", "no_replace"):
                cursor.execute(f"DROP TRIGGER IF EXISTS core_auditevent_{name}")


def problems(**options) -> list[str]:
    return verification.verify(**options).problems


def rewrite_without_the_key(first_id: int, *, reason: str, key_id: str | None = None) -> None:
    """Change one event's reason and recompute every hash from it on, as the chain's plain SHA-256
    would allow: what an attacker without the key can do."""
    prev = AuditEvent.objects.filter(id__lt=first_id).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or audit.GENESIS_HASH
    bypass_triggers()
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(id__gte=first_id).order_by("id"):
            if event.pk == first_id:
                event.reason = reason
            event.key_id = event.key_id if key_id is None else key_id
            event.prev_hash, event.hash = prev, audit.chain_hash(prev, audit.canonical_content(event))
            cursor.execute(
                "UPDATE core_auditevent SET reason = %s, prev_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                [event.reason, event.prev_hash, event.hash, event.key_id, event.pk],
            )
            prev = event.hash


def delete_tail(count: int) -> tuple[int, int, int]:
    """Delete the newest `count` events: (the first deleted, the last deleted, the one left before)."""
    ids = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[: count + 1])
    bypass_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id > %s", [ids[-1]])
    return ids[-1] + 1, ids[0], ids[-1]


# Append-only, also against REPLACE and upserts ---------------------------------------------------------


def _copy_of(event_id: int, *, new_id: bool = False) -> str:
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    chosen = ", ".join("id + 100000" if (c == "id" and new_id) else c for c in columns)
    return f"({', '.join(columns)}) SELECT {chosen} FROM core_auditevent WHERE id = {int(event_id)}"


def refused_statements(event_id: int) -> list[str]:
    upsert = f"INSERT INTO core_auditevent {_copy_of(event_id)} ON CONFLICT (id) DO UPDATE SET reason = 'new'"
    if connection.vendor == "sqlite":
        return [
            f"INSERT OR REPLACE INTO core_auditevent {_copy_of(event_id)}",
            f"REPLACE INTO core_auditevent {_copy_of(event_id)}",
            # A new id with an existing hash: REPLACE would delete the event holding that hash.
            f"INSERT OR REPLACE INTO core_auditevent {_copy_of(event_id, new_id=True)}",
            upsert,
            "UPDATE core_auditevent SET reason = 'x'",
            "DELETE FROM core_auditevent",
        ]
    return [
        upsert,
        f"INSERT INTO core_auditevent {_copy_of(event_id)}",
        f"INSERT INTO core_auditevent {_copy_of(event_id, new_id=True)}",
        "UPDATE core_auditevent SET reason = 'x'",
        "DELETE FROM core_auditevent",
        "TRUNCATE core_auditevent",
    ]


def test_the_database_refuses_replace_upsert_update_and_delete_of_audit_events(world):
    target = AuditEvent.objects.order_by("id")[2]
    before = list(AuditEvent.objects.order_by("id").values_list("id", "hash", "reason"))
    for statement in refused_statements(target.pk):
        # PostgreSQL refuses a plain INSERT of an existing id or hash by its unique constraints.
        with pytest.raises(DatabaseError, match="append-only|duplicate key"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert list(AuditEvent.objects.order_by("id").values_list("id", "hash", "reason")) == before


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditevent'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'core_auditevent'::regclass AND NOT tgisinternal AND tgenabled != 'D'"
            )
        return {row[0] for row in cursor.fetchall()}


def all_triggers() -> set[str]:
    if connection.vendor == "sqlite":
        return {"core_auditevent_no_update", "core_auditevent_no_delete", "core_auditevent_no_replace"}
    return {"core_auditevent_append_only", "core_auditevent_no_truncate"}


def test_after_migrate_the_audit_table_has_all_its_triggers(db):
    """A migration that rebuilds core_auditevent on SQLite would drop them silently (see 0004)."""
    assert trigger_names() == all_triggers()


def test_the_demo_reset_puts_every_trigger_back(world):
    maintenance.wipe_all_data_for_demo_reset()
    assert not AuditEvent.objects.exists()
    assert trigger_names() == all_triggers()


def test_a_replaced_event_with_recomputed_hashes_is_found(world):
    """The attack of the issue: REPLACE after the triggers are gone, hashes recomputed without the key."""
    target = AuditEvent.objects.filter(action="study.created").order_by("id").first()
    rewrite_without_the_key(target.pk, reason="nothing to see")
    checked = AuditEvent.objects.filter(id__lte=target.pk).count()
    assert problems() == [
        f"audit chain broken at event #{target.pk} (study.created studies.study:{target.object_id}): "
        f"content does not match its hash ({checked} events checked)"
    ]


def test_recomputed_hashes_posing_as_unkeyed_events_are_found(world):
    target = AuditEvent.objects.order_by("id")[5]
    rewrite_without_the_key(target.pk, reason="nothing to see", key_id="")
    (found,) = problems()
    assert f"audit chain broken at event #{target.pk}" in found
    assert "unkeyed event after keyed events" in found


def test_a_rewritten_trail_that_looks_unkeyed_throughout_is_caught_by_an_anchor(world, tmp_path):
    """Only keyed events resist a database-level attacker: a whole trail rewritten as unkeyed (as if
    written before audit keys) links up, and only an anchor kept outside the database shows it."""
    anchor_file = tmp_path / "anchors"
    anchors.append(anchor_file, anchors.anchor_now())
    head = AuditEvent.objects.order_by("-id").first()
    rewrite_without_the_key(AuditEvent.objects.order_by("id").first().pk, reason="rewritten", key_id="")

    result = verification.verify()
    assert result.ok and "unkeyed events from before audit keys" in result.checked[1]
    (found,) = problems(anchor_files=[anchor_file])
    assert found.startswith(f"anchor {anchor_file} line 1: event #{head.pk} no longer has the hash anchored")


def test_unkeyed_events_from_before_audit_keys_still_verify_before_keyed_ones(db, world):
    """An existing database: its events have no key id and a plain SHA-256; new events are keyed."""
    legacy, prev = [], audit.GENESIS_HASH
    for number, event in enumerate(AuditEvent.objects.order_by("id")[:3]):
        event.pk, event.key_id, event.prev_hash = number + 1, "", prev
        event.hash = prev = audit.chain_hash(prev, audit.canonical_content(event))
        legacy.append(event)
    ring = keys.keyring()
    keyed = AuditEvent(**{f.attname: getattr(legacy[0], f.attname) for f in AuditEvent._meta.concrete_fields})
    keyed.pk, keyed.key_id, keyed.prev_hash = 4, ring.signing_key_id, prev
    keyed.hash = audit.event_hash(ring, keyed.key_id, prev, audit.canonical_content(keyed))

    report = audit.verify_chain([*legacy, keyed], ring)
    assert report.intact and (report.keyed, report.unkeyed) == (1, 3)


# Keys ---------------------------------------------------------------------------------------------------


def test_events_signed_with_a_key_not_configured_are_named(world, settings):
    first = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    settings.AUDIT_KEYS = OTHER_KEY
    (found,) = problems(records=False)
    assert found.startswith(f"key unknown: 'test' signed events #{first}–#{last}")


def test_a_rotated_key_signs_new_events_and_the_old_one_still_verifies(world, settings, audit_keys):
    settings.AUDIT_KEYS = f"{OTHER_KEY},{audit_keys}"
    services.update_study(study=world.study_a, changes={"title": "Rotated"}, by=world.crm, reason="r")
    assert AuditEvent.objects.order_by("-id").first().key_id == "other"
    result = verification.verify()
    assert result.ok, result.problems
    assert result.checked[1].startswith(
        f"audit keys: {AuditEvent.objects.count()} events keyed (other, test)"
    )


def test_without_configured_keys_a_key_file_is_made_once_with_mode_0600_and_a_warning(
    settings, tmp_path, caplog
):
    settings.AUDIT_KEYS = ""
    assert keys.keyring().keys == ()  # verifying never makes a key
    with caplog.at_level(logging.WARNING, logger="trialdesk.audit"):
        ring = keys.keyring(create=True)
    path = tmp_path / keys.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Production must set TRIALDESK_AUDIT_KEYS" in caplog.text and str(path) in caplog.text
    assert ring.signing_key_id.startswith("local-") and keys.keyring(create=True) == ring


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k1", "key 'k1' is shorter than 16 bytes"),
        ("k1:not base64!", "key 'k1' is not valid base64"),
        ("k 1:" + base64.b64encode(b"x" * 32).decode(), "'k 1' is not a key id"),
        ("k1:" + base64.b64encode(b"x" * 8).decode(), "key 'k1' is shorter than 16 bytes"),
        (",".join(["k1:" + base64.b64encode(b"x" * 32).decode()] * 2), "key id 'k1' is listed twice"),
    ],
)
def test_a_malformed_key_setting_is_refused_naming_the_problem(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.parse_keys(text, source="TRIALDESK_AUDIT_KEYS")


# Anchors and a deleted tail ----------------------------------------------------------------------------


@pytest.mark.parametrize("deleted", [1, 10])
def test_deleting_the_newest_events_is_named_against_an_anchor(world, tmp_path, deleted):
    anchor_file = tmp_path / "anchors"
    anchors.append(anchor_file, anchors.anchor_now())
    assert verification.verify(anchor_files=[anchor_file]).ok
    first, last, left = delete_tail(deleted)

    assert problems(records=False) == []  # what is left still links up: the chain alone cannot see it
    (found,) = problems(anchor_files=[anchor_file], records=False)
    assert found.startswith(f"audit events #{first}–#{last} missing: the trail now ends at #{left}")
    assert f"({anchor_file} line 1)" in found


def test_a_tail_deleted_then_written_over_is_named_with_what_follows(world, tmp_path):
    anchor_file = tmp_path / "anchors"
    anchors.append(anchor_file, anchors.anchor_now())
    first, last, left = delete_tail(3)
    services.update_study(study=world.study_a, changes={"title": "After"}, by=world.crm, reason="r")
    newest = AuditEvent.objects.order_by("-id").first()
    (found,) = problems(anchor_files=[anchor_file], records=False)
    assert found.startswith(
        f"audit events #{first}–#{last} missing: the trail goes from #{left} to #{newest.pk}"
    )


def test_an_altered_foreign_or_broken_anchor_is_named_by_its_line(world, tmp_path, settings, audit_keys):
    anchor_file = tmp_path / "anchors"
    good = anchors.anchor_now()
    anchors.append(anchor_file, good)
    forged = json.loads(good.line()) | {"event_id": good.event_id + 50}
    with anchor_file.open("a") as handle:
        handle.write(json.dumps(forged) + "\nnot an anchor\n")
    settings.AUDIT_KEYS = f"{OTHER_KEY},{audit_keys}"
    anchors.append(anchor_file, anchors.anchor_now())
    settings.AUDIT_KEYS = audit_keys

    assert problems(anchor_files=[anchor_file], records=False) == [
        f"anchor {anchor_file} line 3: not JSON (Expecting value)",
        f"anchor {anchor_file} line 2: signature does not match "
        "(the anchor was altered or not made with this key)",
        f"anchor {anchor_file} line 4: key unknown: 'other'",
    ]
