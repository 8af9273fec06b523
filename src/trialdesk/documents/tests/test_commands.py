"""`trialdesk documents verify` and `trialdesk documents expected`."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.documents import storage
from trialdesk.documents.tests.factories import approve, file_pdf


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("documents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_verify_passes_then_names_each_altered_or_missing_file(world):
    first = file_pdf(
        world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1, text="1"
    )
    second = file_pdf(
        world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a2, text="2"
    )
    assert run("verify")[0] == "all 2 stored files match their checksums\n"
    storage.path_of(first.versions.get().sha256).write_bytes(b"%PDF-1.4 forged")
    storage.path_of(second.versions.get().sha256).unlink()
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 of 2 stored files missing or altered") as failed:
        call_command("documents", "verify", stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("altered: its checksum no longer matches")
    assert lines[1].endswith("missing from storage")


def test_expected_lists_the_state_of_each_document_as_json(world):
    version = approve(world.protocol_a, by=world.admin)
    file_pdf(
        world.study_a,
        by=world.crm,
        artifact_number="04.01.02",
        study_site=world.site_a1,
        protocol_version=version,
    )
    body = json.loads(run("expected", "--study", "ONC-A", "--site", "101", "--json")[0])
    states = {(d["site"], d["title"]): d["state"] for d in body["documents"]}
    assert states[("101", "Ethics approval (protocol v1.0)")] == "present"
    assert ("102", "Ethics approval (protocol v1.0)") not in states
    with pytest.raises(CommandError, match="no site '999'"):
        run("expected", "--study", "ONC-A", "--site", "999")
    with pytest.raises(CommandError, match="No study"):
        run("expected", "--study", "NOPE")
