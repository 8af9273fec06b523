"""`trialdesk privacy register | scan | purge | access`: the issue's names and JSON, bad input one line
and a non-zero exit, nothing changed."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from trialdesk.core.models import User
from trialdesk.core.services import deactivate_user
from trialdesk.privacy.services import entries


def _run(*args) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_register_json_has_the_issue_fields(world, dpo):
    entries.save_settings(study=world.study_a, values={"sponsor_country": "US"}, by=dpo)
    document = json.loads(_run("register", "--study", "ONC-A", "--json"))
    assert {"study", "categories", "recipients", "transfers", "retention"} <= set(document)
    assert document["study"] == "ONC-A"
    assert {"from", "to", "safeguard"} <= set(document["transfers"][0])
    assert {"record", "period", "basis"} <= set(document["retention"][0])
    flagged = [t for t in document["transfers"] if t["flagged"]]
    assert flagged and all(t["safeguard"] is None for t in flagged)


def test_register_of_an_unknown_study_is_one_line_and_fails(world):
    with pytest.raises(CommandError, match="--study: there is no study NOPE"):
        _run("register", "--study", "NOPE", "--json")


def test_scan_lists_identifiers_masked(world):
    from trialdesk.visits.services.deviations import create_deviation

    create_deviation(
        study=world.study_a,
        by=world.admin,
        study_site=world.site_a1,
        category="procedure",
        description="Participant's e-mail jo.smith@example.org written on the worksheet.",
        occurred_on=dt.date(2025, 3, 1),
        identified_on=dt.date(2025, 3, 2),
    )
    found = json.loads(_run("scan", "--study", "ONC-A", "--json"))
    assert [(f["field"], f["kind"]) for f in found] == [("description", "email")]
    assert set(found[0]) == {"record", "field", "kind", "excerpt"}
    assert "jo.smith@example.org" not in found[0]["excerpt"] and "[e-mail address]" in found[0]["excerpt"]
    assert found[0]["record"].startswith("visits.protocoldeviation:")
    assert json.loads(_run("scan", "--study", "CARD-B", "--json")) == []


def test_purge_dry_run_then_purge(world):
    deactivate_user(user=world.monitor, by=world.admin, reason="left")
    assert "0 would purge" in _run("purge", "--dry-run")  # closed today: kept two years
    assert User.objects.get(pk=world.monitor.pk).email


def test_purge_of_a_held_person_is_refused_and_changes_nothing(world, dpo):
    deactivate_user(user=world.monitor, by=world.admin, reason="left")
    entries.place_hold(
        study=world.study_a,
        values={"reason": "Inspection", "placed_on": timezone.localdate(), "person": world.monitor},
        by=dpo,
    )
    err = StringIO()
    with pytest.raises(CommandError, match="legal hold"):
        call_command("privacy", "purge", "--user", "monitor_mia", stdout=StringIO(), stderr=err)
    assert "--user: monitor_mia is under legal hold" in err.getvalue()


def test_access_json_and_pdf(world, tmp_path):
    document = json.loads(_run("access", "--user", "monitor_mia", "--json"))
    assert document["account"]["username"] == "monitor_mia"
    pdf = tmp_path / "access.pdf"
    _run("access", "--user", "monitor_mia", "--pdf", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_dpo_role_is_granted_per_study_with_the_role_command(world):
    from trialdesk.core.models import RoleAssignment

    call_command(
        "role", "grant", "--user", "outsider_otto", "--role", "dpo", "--study", "ONC-A", stdout=StringIO()
    )
    assert RoleAssignment.objects.filter(user=world.outsider, role="dpo", study=world.study_a).exists()
    with pytest.raises(CommandError):
        call_command(
            "role",
            "grant",
            "--user",
            "outsider_otto",
            "--role",
            "dpo",
            "--study",
            "ONC-A",
            "--site",
            "101",
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_scan_takes_a_staff_members_name_in_their_own_documents_title_for_what_it_is(world):
    from trialdesk.core.roles import Role
    from trialdesk.documents.tests.factories import file_pdf, make_staff

    ines = make_staff(world.site_a1, "ines", Role.INVESTIGATOR, by=world.admin)
    User.objects.filter(pk=ines.pk).update(first_name="Ines", last_name="Ortega")
    olaf = make_staff(world.site_a1, "olaf", Role.INVESTIGATOR, by=world.admin)
    User.objects.filter(pk=olaf.pk).update(first_name="Olaf", last_name="Berg")
    for person, title in ((ines, "GCP certificate Ines Ortega"), (olaf, "GCP certificate Ines Ortega")):
        file_pdf(
            world.study_a,
            by=world.admin,
            artifact_number="05.03.03",
            study_site=world.site_a1,
            person=person,
            title=title,
            text=person.username,
        )
    found = json.loads(_run("scan", "--study", "ONC-A", "--json"))
    # Ines's own certificate names her; the one filed for Olaf under her name is a finding.
    assert [(f["field"], f["kind"]) for f in found] == [("title", "staff_name")]
