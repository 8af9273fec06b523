"""Filing documents, versions and downloads: files on disk, checksums, audits, no leftovers on refusal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trialdesk.core.models import AuditEvent
from trialdesk.core.roles import Role
from trialdesk.documents import services, storage
from trialdesk.documents.models import Document, DocumentVersion
from trialdesk.documents.tests.factories import approve, docx, file_pdf, make_staff, pdf

D = dt.date


def files_on_disk(data_dir) -> list:
    return sorted(p for p in (data_dir / "documents").rglob("*") if p.is_file())


def upload(name="approval.pdf", content=None):
    return services.Upload.from_bytes(name, pdf(name) if content is None else content)


def test_filing_a_document_stores_the_file_under_its_checksum_and_audits_both_records(world, data_dir):
    version = approve(world.protocol_a, by=world.admin)
    document = file_pdf(
        world.study_a,
        by=world.crm,
        artifact_number="04.01.02",
        study_site=world.site_a1,
        protocol_version=version,
    )
    first = document.versions.get()
    assert document.title == "Ethics approval (protocol v1.0)"
    assert document.country == "DE"
    assert (first.number, first.media_type, first.size) == (1, "application/pdf", len(pdf("doc")))
    assert files_on_disk(data_dir) == [storage.path_of(first.sha256)]
    assert storage.path_of(first.sha256).read_bytes() == pdf("doc")
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("-id")[:2])
    assert actions == ["documentversion.created", "document.created"]


def test_a_new_version_supersedes_and_nothing_is_deleted(world, data_dir):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    second = services.add_version(
        document=document, upload=upload("v2.pdf"), document_date=D(2025, 2, 1), by=world.crm
    )
    assert second.number == 2
    assert list(document.versions.values_list("number", flat=True)) == [1, 2]
    assert len(files_on_disk(data_dir)) == 2


def test_the_same_content_twice_is_stored_once(world, data_dir):
    first = file_pdf(
        world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1, text="same"
    )
    file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a2, text="same")
    assert len(files_on_disk(data_dir)) == 1
    assert DocumentVersion.objects.filter(sha256=first.versions.get().sha256).count() == 2


REFUSALS = [
    # what is wrong, keyword changes -> field named
    ("unknown artifact", dict(artifact_number="99.99.99"), "artifact_number"),
    (
        "site artifact filed at trial level",
        dict(artifact_number="05.02.08", level="trial", study_site=None),
        "level",
    ),
    ("expiry before the document's date", dict(expires_on=D(2024, 12, 31)), "expires_on"),
    ("no document date", dict(document_date=None), "document_date"),
    ("no file", dict(upload=None), "file"),
    ("a person who does not work there", dict(artifact_number="05.03.03", person="outsider"), "person"),
    (
        "a country that is none",
        dict(level="country", study_site=None, artifact_number="03.01.01", country="XX"),
        "country",
    ),
    ("disallowed type", dict(upload=services.Upload.from_bytes("run.exe", b"MZ\x90")), "file"),
    ("content not matching its name", dict(upload=services.Upload.from_bytes("a.pdf", b"MZ\x90")), "file"),
    ("a docx that is not one", dict(upload=services.Upload.from_bytes("cv.docx", b"PK\x03\x04junk")), "file"),
]


@pytest.mark.parametrize(("label", "changes", "field"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_bad_uploads_are_refused_with_the_field_named_and_leave_nothing(
    world, data_dir, label, changes, field
):
    values = dict(
        study=world.study_a,
        level="site",
        artifact_number="05.02.12",
        study_site=world.site_a1,
        upload=upload(),
        document_date=D(2025, 1, 10),
        by=world.crm,
    )
    values.update(changes)
    if values.get("person") == "outsider":
        values["person"] = world.outsider
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.file_document(**values)
    assert field in refused.value.message_dict
    assert Document.objects.count() == 0 and DocumentVersion.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert files_on_disk(data_dir) == []


def test_every_problem_is_reported_at_once(world):
    with pytest.raises(ValidationError) as refused:
        services.file_document(
            study=world.study_a,
            level="site",
            artifact_number="04.01.02",
            study_site=world.site_a1,
            upload=upload("x.exe"),
            document_date=None,
            by=world.crm,
        )
    assert set(refused.value.message_dict) == {"protocol_version", "document_date", "file"}


def test_an_upload_over_the_size_limit_is_refused_and_leaves_no_file(world, data_dir, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    # Size unknown in advance (a stream): refused while it is written, the partial file removed.
    big = services.Upload(filename="big.pdf", chunks=[pdf("big"), b"0" * 60, b"0" * 60])
    with pytest.raises(ValidationError) as refused:
        file_pdf(
            world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1, upload=big
        )
    assert refused.value.message_dict["file"] == ["The file is larger than the limit of 100 bytes."]
    assert files_on_disk(data_dir) == []


def test_the_size_limit_is_the_setting(settings):
    settings.DOCUMENT_MAX_BYTES = 1234
    assert storage.max_bytes() == 1234


def test_a_failure_after_the_file_is_written_removes_it(world, data_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "_save_version", broken)
    with pytest.raises(RuntimeError):
        file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    assert files_on_disk(data_dir) == []
    assert Document.objects.count() == 0


def test_a_failed_upload_keeps_a_file_another_version_uses(world, data_dir, monkeypatch):
    file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1, text="shared")
    monkeypatch.setattr(services, "_save_version", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(RuntimeError):
        file_pdf(
            world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a2, text="shared"
        )
    assert len(files_on_disk(data_dir)) == 1


def test_docx_with_word_content_is_accepted(world):
    document = file_pdf(
        world.study_a,
        by=world.crm,
        artifact_number="05.02.04",
        study_site=world.site_a1,
        person=world.monitor,
        upload=services.Upload.from_bytes("cv.docx", docx()),
    )
    assert document.versions.get().media_type.endswith("wordprocessingml.document")


def test_download_verifies_the_checksum_and_is_audited(world):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    version = document.versions.get()
    with services.open_for_download(version=version, by=world.auditor) as content:
        assert content.read() == pdf("doc")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_username, event.study_site_id) == (
        "documentversion.downloaded",
        world.auditor.username,
        world.site_a1.pk,
    )


def test_an_altered_file_is_reported_not_served_and_the_refusal_audited(world):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    version = document.versions.get()
    storage.path_of(version.sha256).write_bytes(pdf("forged"))
    with pytest.raises(storage.FileProblem, match="altered"):
        services.open_for_download(version=version, by=world.crm)
    assert AuditEvent.objects.latest("id").action == "documentversion.download_refused"


def test_a_missing_file_is_reported(world):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    version = document.versions.get()
    storage.path_of(version.sha256).unlink()
    with pytest.raises(storage.FileProblem, match="missing") as problem:
        services.open_for_download(version=version, by=world.crm)
    assert problem.value.missing


def test_who_may_file(world):
    coordinator_a1 = make_staff(world.site_a1, "crc_a1", Role.COORDINATOR, by=world.admin)
    # Site staff and the site's monitor file their own site's documents...
    file_pdf(world.study_a, by=coordinator_a1, artifact_number="05.02.12", study_site=world.site_a1)
    file_pdf(world.study_a, by=world.monitor, artifact_number="05.02.12", study_site=world.site_a1, text="m")
    # ...not another site's, nor trial documents; read-only roles file nothing.
    for user, site, level, artifact in [
        (coordinator_a1, world.site_a2, "site", "05.02.12"),
        (world.monitor, None, "trial", "02.01.02"),
        (world.auditor, world.site_a1, "site", "05.02.12"),
    ]:
        with pytest.raises(PermissionDenied):
            file_pdf(world.study_a, by=user, artifact_number=artifact, level=level, study_site=site)


def test_title_corrections_are_audited_and_need_a_reason(world):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    with pytest.raises(ValidationError):
        services.update_document(document=document, changes={"title": "New"}, by=world.crm, reason="")
    changed = services.update_document(
        document=document,
        changes={"title": "Signature page, Dr Weber"},
        by=world.crm,
        reason="typo",
        expected_version=1,
    )
    assert (changed.title, changed.version) == ("Signature page, Dr Weber", 2)


def test_tmf_profile_changes_the_expected_list(world):
    from trialdesk.documents import selectors

    before = [r.title for r in selectors.expected_documents_for(world.crm, world.study_a)]
    services.save_tmf_profile(
        study=world.study_a, by=world.crm, local_laboratories=False, reason="central lab"
    )
    after = [r.title for r in selectors.expected_documents_for(world.crm, world.study_a)]
    assert "Laboratory certification" in before and "Laboratory certification" not in after
    with pytest.raises(PermissionDenied):
        services.save_tmf_profile(study=world.study_a, by=world.auditor, us_ind=True, reason="x")


def test_a_file_known_to_be_too_large_is_refused_before_it_is_read(world, settings):
    settings.DOCUMENT_MAX_BYTES = 10

    def never_read():
        raise AssertionError("the content was read")
        yield b""

    upload = services.Upload(filename="big.pdf", chunks=never_read(), size=11)
    with pytest.raises(ValidationError) as refused:
        file_pdf(
            world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1, upload=upload
        )
    assert refused.value.message_dict["file"] == ["The file is larger than the limit of 10 bytes."]


def test_a_site_removed_while_under_feasibility_takes_its_documents_along(world):
    from trialdesk.sites import services as site_services

    file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a2)
    site_services.delete_study_site(study_site=world.site_a2, by=world.crm, reason="not selected")
    assert not Document.objects.filter(study_site_id=world.site_a2.pk).exists()
