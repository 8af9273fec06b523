"""The feasibility part of the demo: a feasibility round for NEURO-302 (in start-up, with candidate
sites), so the CRM sees agreements, questionnaires, a ranked list and a decision.

- Sites already selected or in start-up have their confidentiality agreement executed (start-up reads
  it as one of its items).
- The three sites under feasibility: agreement executed, the default questionnaire sent; two answered
  and submitted (one strong, one weaker), one answering still (saved, not submitted).
- The two identified sites: one agreement sent and pending, one not yet sent.
- The strongest candidate is selected, with its rationale (the site moves to "selected").
The answers are entered by the demo CRM on the sites' behalf (the demo has no staff at these sites).

Every other demo site that is selected (as the demo walks it there) gets the dated selection decision
of the sponsor's previous system (services.record_past_decision), some 3–5 months before its planned
activation, so that start-up cycle times and past performance count from a real selection day.
"""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.feasibility import rules, selectors, services
from trialdesk.studies.models import Study

STUDY = "NEURO-302"
STRONG = {
    "eligible_patients_per_year": "140",
    "expected_enrollment": "24",
    "competing_studies": "1",
    "dedicated_coordinator": "yes",
    "investigator_experience": "More than 5",
    "equipment_available": "yes",
    "storage_2_8": "yes",
    "ethics_turnaround": "Under 30 days",
    "prior_enrollment_met": "yes",
    "comments": "PET imaging slots reserved on Tuesdays.",
}
WEAKER = {
    "eligible_patients_per_year": "60",
    "expected_enrollment": "10",
    "competing_studies": "3",
    "dedicated_coordinator": "no",
    "investigator_experience": "1 to 5",
    "equipment_available": "yes",
    "storage_2_8": "yes",
    "ethics_turnaround": "30 to 60 days",
    "prior_enrollment_met": "no",
}
PARTIAL = {"eligible_patients_per_year": "90", "competing_studies": "2", "storage_2_8": "yes"}


def _url(study, site) -> str:
    return f"https://etmf.demo.trialdesk.invalid/{study.code}/site-{site.site_number}/cda.pdf"


def _executed_cda(demo, study, site, days_ago: int) -> None:
    agreement = services.record_cda_sent(
        study_site=site, by=demo.crm, sent_on=demo.today - dt.timedelta(days=days_ago + 12)
    )
    services.record_cda_executed(
        agreement=agreement,
        by=demo.crm,
        executed_on=demo.last_actual_day - dt.timedelta(days=days_ago),
        document_url=_url(study, site),
    )


PAST_DECISION = "Selected after the sponsor's feasibility round in its previous CTMS (report in the TMF)"


def site_step(*, demo, site, status) -> None:
    """As the demo walks a site to "selected", its dated selection decision (core.extensions
    demo_site_steps); the feasibility round's own study decides in load() instead."""
    if status != "selected" or site.study.code == STUDY:
        return
    planned = site.planned_activation_on or demo.today
    days = demo.rng(f"feasibility-decision/{site.study.code}/{site.site_number}").randint(90, 150)
    decided_on = min(planned - dt.timedelta(days=days), demo.last_actual_day)
    services.record_past_decision(
        study_site=site, by=demo.crm, rationale=PAST_DECISION, decided_on=decided_on
    )


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders)."""
    study = Study.objects.filter(code=STUDY).first()
    if study is None:
        return
    sites = list(study.sites.select_related("institution").order_by("site_number"))
    for site in sites:
        if site.status in ("selected", "start_up"):
            _executed_cda(demo, study, site, days_ago=90)
    candidates = [s for s in sites if s.status == "under_feasibility"]
    identified = [s for s in sites if s.status == "identified"]
    template = services.create_default_template(study=study, by=demo.crm)
    questionnaires = []
    for site in candidates:
        _executed_cda(demo, study, site, days_ago=30)
        questionnaires.append(
            services.send_questionnaire(
                template=template, study_site=site, by=demo.crm, due_on=demo.today + dt.timedelta(days=14)
            )
        )
    for questionnaire, answers, submit in zip(
        questionnaires, (STRONG, WEAKER, PARTIAL), (True, True, False), strict=False
    ):
        services.save_answers(questionnaire=questionnaire, by=demo.crm, answers=answers, submit=submit)
    if identified:
        services.record_cda_sent(study_site=identified[0], by=demo.crm, sent_on=demo.last_actual_day)
    ranked = [row for row in selectors.ranking(demo.crm, study, today=demo.today) if row.rank == 1]
    if ranked and ranked[0].site.status in rules.CANDIDATE_STATUSES:
        services.decide_selection(
            study_site=ranked[0].site,
            by=demo.crm,
            outcome=rules.SELECTED,
            rationale="Highest feasibility score: large eligible population, dedicated coordinator, "
            "experienced investigator and PET capacity; one competing study only.",
        )
    demo.summary.append(f"feasibility round for {STUDY}: {len(questionnaires)} questionnaires, 1 decision")
