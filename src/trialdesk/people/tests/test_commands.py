"""`trialdesk people reminders`: disclosures due or overdue, training flags, unsigned delegations."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.core.roles import Role
from trialdesk.people.tests.factories import approve_protocol, delegate, make_staff, train


def run(*args) -> str:
    out = io.StringIO()
    call_command("people", *args, stdout=out)
    return out.getvalue()


def test_reminders_list_overdue_disclosures_training_and_unsigned_lines(world, today):
    approve_protocol(world.protocol_a, by=world.admin)
    pi = make_staff(world.site_a1, "pi_paula", by=world.admin, role=Role.INVESTIGATOR)
    crc = make_staff(world.site_a1, "crc_chris", by=world.admin)
    train(pi, world.site_a1, by=world.crm, protocol=world.protocol_a)
    train(crc, world.site_a1, by=world.crm, protocol=world.protocol_a)
    delegate(world.site_a1, crc, ["eligibility"], by=world.crm, signer=pi, study_role="sub_investigator",
             starts_on=today - dt.timedelta(days=9))  # fmt: skip
    delegate(world.site_a1, crc, ["consent"], by=world.crm)
    report = json.loads(run("reminders", "--study", "ONC-A", "--json"))
    [study] = report["studies"]
    overdue = {
        "site": "101",
        "investigator": "crc_chris",
        "occasion": "initial",
        "status": "overdue",
        "days_overdue": 9,
        "due_on": (today - dt.timedelta(days=9)).isoformat(),
        "basis": "law",  # before participation: 21 CFR 312.53(c)(4); a closing one would say "policy"
    }
    assert overdue in study["disclosures"]
    assert study["awaiting_signature"] == [{"site": "101", "staff_member": "crc_chris", "tasks": ["consent"]}]
    assert study["training"] == []
    text = run("reminders")
    assert "crc_chris disclosure (initial) overdue by 9 days" in text
    assert "delegation to crc_chris awaits signature" in text


def test_unknown_study_is_refused(world):
    with pytest.raises(CommandError):
        run("reminders", "--study", "NOPE")
