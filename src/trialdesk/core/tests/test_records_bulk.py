"""core.records.create_records: records created in bulk keep every guarantee of create_record — each row
validated, one audit event per record on an intact hash chain — and a bad row refuses the whole batch,
naming the row and the field (issue 19 §2, audited bulk writes)."""

import pytest

from tests.factories import make_study, make_user
from trialdesk.core import audit, records
from trialdesk.core.models import AuditEvent
from trialdesk.sites.models import Institution, StudySite


@pytest.fixture
def admin(db):
    user = make_user("bulk_admin", superuser=True)
    return user, make_study("BULK-1", by=user, gated=True)


def institutions(count: int, *, prefix: str = "Bulk Hospital") -> list[Institution]:
    return [
        Institution(name=f"{prefix} {n}", city="Berlin", country="de", time_zone="Europe/Berlin")
        for n in range(count)
    ]


def test_bulk_create_writes_one_audit_event_per_record_on_an_intact_chain(admin):
    user, study = admin
    before = AuditEvent.objects.count()
    created = records.create_records(institutions(3), by=user, reason="Bulk import")
    sites = [
        StudySite(study=study, institution=institution, site_number=f"B{n}")
        for n, institution in enumerate(created)
    ]
    records.create_records(sites, by=user, reason="Bulk import")

    events = list(AuditEvent.objects.filter(pk__gt=AuditEvent.objects.order_by("id")[before - 1].pk))
    assert [e.action for e in events] == ["institution.created"] * 3 + ["studysite.created"] * 3
    assert [e.object_id for e in events] == [str(r.pk) for r in [*created, *sites]]
    assert all(e.reason == "Bulk import" and e.actor_username == "bulk_admin" for e in events)
    # The values as create_record records them (country normalised by the model's clean_fields).
    assert events[0].changes["country"] == [None, "DE"]
    assert events[3].changes["site_number"] == [None, "B0"]
    assert events[3].study_id == study.pk and events[3].study_site_id == sites[0].pk
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))
    assert audit.verify_chain().intact


def test_a_duplicate_row_refuses_the_batch_naming_row_and_field(admin):
    user, study = admin
    existing = records.create_records(institutions(1, prefix="Taken"), by=user)[0]
    count, events = Institution.objects.count(), AuditEvent.objects.count()

    batch = institutions(3, prefix="Fresh")
    batch[2].name = "Fresh 0"  # the same as row 0 of this batch
    with pytest.raises(records.BatchRefused) as refused:
        records.create_records(batch, by=user)
    assert refused.value.row == 2
    assert refused.value.message_dict == {"name": ["This institution is already in the directory."]}

    batch = [*institutions(1, prefix="Other"), Institution(**{**_values(existing), "country": "DE"})]
    with pytest.raises(records.BatchRefused) as refused:
        records.create_records(batch, by=user)
    assert list(refused.value.rows) == [1]
    assert "row 1: name: This institution is already in the directory." in str(refused.value)

    sites = [StudySite(study=study, institution=existing, site_number="D1") for _ in range(2)]
    with pytest.raises(records.BatchRefused) as refused:
        records.create_records(sites, by=user)
    assert refused.value.row == 1 and "site_number" in refused.value.message_dict
    assert (Institution.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_an_invalid_row_refuses_the_batch_and_names_every_bad_row(admin):
    user, study = admin
    count, events = Institution.objects.count(), AuditEvent.objects.count()
    batch = institutions(4, prefix="Checked")
    batch[1].time_zone = "Mars/Olympus"
    batch[3].name = ""
    with pytest.raises(records.BatchRefused) as refused:
        records.create_records(batch, by=user)
    assert list(refused.value.rows) == [1, 3]
    assert set(refused.value.rows[1].message_dict) == {"time_zone"}
    assert set(refused.value.rows[3].message_dict) == {"name"}
    assert refused.value.row == 1 and set(refused.value.message_dict) == {"time_zone"}

    missing = StudySite(study=study, institution_id=10**9, site_number="M1")
    with pytest.raises(records.BatchRefused) as refused:
        records.create_records([missing], by=user)
    assert set(refused.value.message_dict) == {"institution"}
    assert (Institution.objects.count(), AuditEvent.objects.count()) == (count, events)


def _values(institution: Institution) -> dict:
    return {f: getattr(institution, f) for f in ("name", "city", "region", "postal_code", "time_zone")}
