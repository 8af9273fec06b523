"""The portfolio's derived figures kept current as the data change: after a write that moves a study's
enrollment forecast, estimate at completion or health (a participant enrolled, a site activated, a
milestone moved, an approval, an adverse event's obligation, an action item, a budget…)
commits, the study's forecast is recomputed if its inputs changed, and its stored estimate at completion
(reporting.models) and health are recomputed, so that the portfolio never shows "—" until someone opens
a tab. The work runs in the background (core.tasks, `trialdesk worker`): the commit queues one refresh
per study, and a study whose refresh is still waiting is not queued again. The nightly `trialdesk
forecast refresh`, `trialdesk report refresh` and `trialdesk health refresh` still run for what time
alone changes (a deadline passing).

Registered here, in the reporting layer, because it joins statistics (the forecast), finance (the
estimate) and studies (the stored health), which the reports read. One job per study per transaction; a
study whose health was stored after the write asked (the demo's last step, the nightly command) is not
computed again.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from trialdesk.core import extensions, tasks
from trialdesk.finance import estimates
from trialdesk.reporting.models import StoredEstimate
from trialdesk.statistics.forecasts import forecast_inputs, latest_forecasts, refresh_enrollment_forecast
from trialdesk.studies import stored_health
from trialdesk.studies.models import StoredHealth, Study

log = logging.getLogger(__name__)

# The records the forecast or a health dimension reads (core.extensions.health_signals).
FORECAST_INPUTS = frozenset({"studies.study", "studies.milestone", "sites.studysite", "subjects.participant"})
WATCHED = (
    *sorted(FORECAST_INPUTS),
    "studies.healththreshold",
    "subjects.screeningentry",
    "subjects.consent",
    "subjects.consentversion",
    "safety.adverseevent",
    "safety.reportingobligation",
    "safety.obligationdelivery",
    "regulatory.submission",
    "documents.document",
    "documents.documentversion",
    "people.delegationentry",
    "people.trainingrecord",
    "monitoring.actionitem",
    "monitoring.issue",
    "monitoring.signal",
    "monitoring.qualitytolerancelimit",
    "monitoring.visitreport",
    # Not visits done nor the payable lines they earn: the most frequent writes, each moving the estimate
    # at completion a little; the nightly `trialdesk report refresh` and the next other write catch up.
    "finance.budgetversion",
    "finance.changeorder",
    "finance.feeschedule",
    "finance.procedurerecord",
    "finance.siteinvoice",
    "finance.vendorinvoice",
    "statistics.recruitmentplan",
)


@dataclass(frozen=True)
class StudyRefresh:
    """Recompute one study's forecast (when its inputs changed) and stored health, after the commit of
    the write that asked; equal jobs compare equal, so a transaction of many writes refreshes once."""

    study_id: int
    forecast: bool
    asked_at: datetime = field(compare=False)

    def __call__(self) -> None:
        """Queue the refresh (core.tasks); one still waiting for this study (with the forecast, when
        this one needs it) is not queued again."""
        key = f"study-refresh:{self.study_id}"
        if tasks.TaskProgress.objects.filter(key=f"{key}:forecast", status=tasks.Status.QUEUED).exists():
            return
        tasks.start(
            refresh_study,
            title=f"Refresh the forecast, estimate and health of study {self.study_id}",
            by=None,
            key=f"{key}:forecast" if self.forecast else key,
            study_id=self.study_id,
            forecast=self.forecast,
            asked_at=self.asked_at.isoformat(),
        )


@tasks.tracked_task
def refresh_study(progress: tasks.Progress, *, study_id: int, forecast: bool, asked_at: str) -> None:
    """Recompute one study's forecast (when its inputs changed), estimate at completion and health."""
    study = Study.objects.filter(pk=study_id).first()
    if study is None:
        return
    progress.update(done=0, total=2, message=f"{study.code}: forecast")
    changed = forecast and refresh_forecast_if_changed(study)
    asked = datetime.fromisoformat(asked_at)
    if not changed and StoredHealth.objects.filter(study=study, computed_at__gte=asked).exists():
        progress.update(done=2, message=f"{study.code}: already fresh")
        return
    progress.update(done=1, message=f"{study.code}: estimate at completion and health")
    refresh_estimates([study])
    stored_health.refresh([study])
    progress.update(done=2, message=f"{study.code}: refreshed")


@tasks.tracked_task
def refresh_all_estimates(progress: tasks.Progress, *, study_ids: list[int]) -> None:
    """`trialdesk report refresh --background`: each study's estimate at completion, with progress."""
    studies = list(Study.objects.filter(pk__in=study_ids).order_by("code"))
    progress.update(done=0, total=len(studies), message="")
    for done, study in enumerate(studies, start=1):
        refresh_estimates([study])
        progress.update(done=done, message=study.code)


def refresh_forecast_if_changed(study: Study) -> bool:
    """Store a new forecast of `study` when its inputs differ from the latest stored one's."""
    latest = latest_forecasts([study.pk]).get(study.pk)
    inputs = forecast_inputs(study, as_of=timezone.now().date())
    if latest is not None and latest.inputs_digest == inputs.digest():
        return False
    refresh_enrollment_forecast(study=study)
    return True


def refresh_estimates(studies, *, today=None) -> int:
    """Store each study's budget and estimate at completion for the portfolio report; returns how many."""
    today = today or timezone.now().date()
    now = timezone.now()
    count = 0
    for study in studies:
        figures = estimates.study_finance(study, today, with_sites=False)
        values = {"currency": "", "budget": None, "eac_median": None, "variance": None, "computed_at": now}
        if figures is not None:
            values.update(
                currency=figures.currency,
                budget=figures.budget,
                eac_median=figures.eac["0.5"],
                variance=figures.variance,
            )
        StoredEstimate.objects.update_or_create(study=study, defaults=values)
        count += 1
    return count


def study_written(instance) -> None:
    study_id = instance.audit_study_id()
    if study_id is None:
        return
    forecast = instance._meta.label_lower in FORECAST_INPUTS
    pending = [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], StudyRefresh)]
    if any(job.study_id == study_id and (job.forecast or not forecast) for job in pending):
        return
    # robust: a failure is logged, never raised to the person who wrote; the nightly run catches up.
    transaction.on_commit(StudyRefresh(study_id, forecast, timezone.now()), robust=True)


LISTENER = extensions.RecordListener("reporting-freshness", WATCHED, study_written, order=900)
