"""Payables earned as the work is recorded: a visit done (or corrected, or undone), a screen failure, a
site activated or closed, a procedure, an approved invoice or a corrected fee schedule brings that site's
payables in line once the write commits. The nightly `trialdesk finance payables` and the Finance tab's
button do the same for whole studies, and report what this cannot (a missing rate, a site without a
schedule)."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from trialdesk.core import extensions
from trialdesk.finance.services import payables
from trialdesk.studies.models import Study

log = logging.getLogger(__name__)

WATCHED = (
    "visits.scheduledvisit",
    "subjects.screeningentry",
    "sites.studysite",
    "finance.procedurerecord",
    "finance.siteinvoice",
    "finance.feeschedule",
)
REASON = "payables earned as the site's work was recorded"


@dataclass(frozen=True)
class SiteGeneration:
    """The generation of one site's payables, run after the commit of the write that asked for it; equal
    jobs compare equal, so a transaction recording many visits at a site generates once."""

    study_id: int
    study_site_id: int

    def __call__(self) -> None:
        study = Study.objects.filter(pk=self.study_id).first()
        if study is None:
            return
        try:
            payables.generate_payables(study=study, by=None, reason=REASON, site_ids=[self.study_site_id])
        except ValidationError as problem:
            # No budget yet (nothing to convert to), or a missing exchange rate: the work stays unearned
            # until they are entered, and the nightly run and the button name what is missing. The write
            # that asked for this is already committed.
            log.info("payables of study site %s not generated: %s", self.study_site_id, problem.messages)


@dataclass(frozen=True)
class SitesGeneration:
    """One generation for many sites of a study written together (an import), after the commit; where
    it is refused for a reason other than the study's missing budget, each site is tried on its own."""

    study_id: int
    study_site_ids: tuple[int, ...]

    def __call__(self) -> None:
        study = Study.objects.filter(pk=self.study_id).first()
        if study is None:
            return
        try:
            payables.generate_payables(
                study=study, by=None, reason=REASON, site_ids=list(self.study_site_ids)
            )
        except ValidationError as problem:
            if "budget" in getattr(problem, "error_dict", {}):
                log.info("payables of study %s not generated: %s", self.study_id, problem.messages)
                return
            for site_id in self.study_site_ids:
                SiteGeneration(self.study_id, site_id)()


def sites_work_recorded(instances: list) -> None:
    """site_work_recorded for records written together: one generation per study for all their sites."""
    by_study: dict[int, set[int]] = {}
    for instance in instances:
        study_id, site_id = instance.audit_study_id(), instance.audit_study_site_id()
        if study_id is not None and site_id is not None:
            by_study.setdefault(study_id, set()).add(site_id)
    for study_id, site_ids in by_study.items():
        transaction.on_commit(SitesGeneration(study_id, tuple(sorted(site_ids))), robust=True)


def site_work_recorded(instance) -> None:
    study_id, site_id = instance.audit_study_id(), instance.audit_study_site_id()
    if study_id is None or site_id is None:
        return
    job = SiteGeneration(study_id, site_id)
    # Django keeps the callbacks of the open transaction as (savepoint ids, callable, robust).
    if any(entry[1] == job for entry in connection.run_on_commit):
        return
    # robust: a failure of the generation is logged, never raised to the person who recorded the work.
    transaction.on_commit(job, robust=True)


LISTENER = extensions.RecordListener(
    "finance-payables", WATCHED, site_work_recorded, run_many=sites_work_recorded
)
