"""Study close-out: recording the end of trial, a halt and an early termination creates the reporting
obligations of Regulation (EU) No 536/2014 Art. 37–38 (safety's ReportingObligation, on the sponsor's
clock), shown on the CRM's My work and on the study's End of trial tab; running it again changes nothing."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from trialdesk.safety import work as safety_work
from trialdesk.safety.models import ReportingObligation
from trialdesk.startup import closeout
from trialdesk.studies import services as study_services
from trialdesk.studies.pages import tab_url


def run_closeout_jobs() -> int:
    """Run the close-out jobs the listener left for the commit (a test's transaction never commits; one
    job per study per transaction, so the world's own milestones may have queued it already)."""
    jobs = [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], closeout.CloseoutJob)]
    for job in jobs:
        job()
    return len(jobs)


def test_end_of_trial_and_a_halt_become_obligations_on_my_work_and_the_tab(world, client):
    study, crm = world.study_a, world.crm  # sites in DE (an EU member state) and JP
    end = timezone.now().date() - dt.timedelta(days=14)
    study_services.create_milestone(
        study=study, by=crm, kind="last_participant_last_visit", baseline_on=end, actual_on=end,
        reason="last participant's last visit",
    )  # fmt: skip
    assert run_closeout_jobs() >= 1
    found = {o.key: o for o in ReportingObligation.objects.filter(study=study, adverse_event__isnull=True)}
    assert set(found) == {"eu_end_of_trial/DE", "eu_end_of_trial_all", "eu_results"}
    notice = found["eu_end_of_trial/DE"]
    assert (notice.recipient, notice.due_on, notice.reporting_party) == (
        "Member state DE (CTIS)",
        end + dt.timedelta(days=15),
        "sponsor",
    )
    assert "Art. 37(1)" in notice.rule and found["eu_results"].due_on.year == end.year + 1
    mine = [item.title for item in safety_work.obligations_due(crm, timezone.now().date())]
    assert any("Member state DE (CTIS)" in title for title in mine)

    study_services.update_study(
        study=study, changes={"status": "suspended"}, by=crm, reason="IMP supply interrupted"
    )
    assert run_closeout_jobs() >= 1
    halt = ReportingObligation.objects.get(study=study, key__startswith="eu_temporary_halt/")
    assert "IMP supply interrupted" in halt.description and "Art. 38(1)" in halt.rule
    assert closeout.ensure_closeout_obligations(study=study, by=None) == []  # nothing new the second time

    client.force_login(crm)
    page = client.get(tab_url(study, "closeout")).content.decode()
    assert "Member state DE (CTIS)" in page and "Temporary halt notified" in page


def test_a_member_states_notice_counts_from_the_end_of_the_trial_at_its_sites(world):
    study, crm = world.study_a, world.crm  # site 101 in DE, 102 in JP
    end = timezone.now().date() - dt.timedelta(days=5)
    german_end = end - dt.timedelta(days=40)
    study_services.create_milestone(
        study=study, study_site=world.site_a1, by=crm, kind="last_participant_last_visit",
        baseline_on=german_end, actual_on=german_end, reason="last visit at site 101",
    )  # fmt: skip
    study_services.create_milestone(
        study=study, by=crm, kind="last_participant_last_visit", baseline_on=end, actual_on=end,
        reason="last participant's last visit",
    )  # fmt: skip
    run_closeout_jobs()
    notice = ReportingObligation.objects.get(study=study, key="eu_end_of_trial/DE")
    assert notice.due_on == german_end + dt.timedelta(days=15)
    assert "end of the trial in DE" in notice.description
    overall = ReportingObligation.objects.get(study=study, key="eu_end_of_trial_all")
    assert overall.due_on > notice.due_on
