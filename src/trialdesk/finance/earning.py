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


LISTENER = extensions.RecordListener("finance-payables", WATCHED, site_work_recorded)
