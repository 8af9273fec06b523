"""Sample-size calculations for the app, and saving one to a study as its planning assumption (audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trialdesk.analytics.sample_size import SampleSizeInputError, SampleSizeResult, calculate
from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.statistics.models import PlanningAssumption
from trialdesk.studies.models import Study


def calculate_sample_size(*, design: str, parameters: dict) -> SampleSizeResult:
    """Solve `design` with `parameters` (option name -> value); unusable input is a ValidationError."""
    try:
        return calculate(design, **parameters)
    except SampleSizeInputError as error:
        raise ValidationError({error.field: str(error)}) from None


def given_parameters(parameters: dict) -> dict:
    """The options actually given, as JSON values (empty and unticked ones left out)."""
    # Identity, not equality: 0.0 == False, and a true difference of 0 is a real input.
    return {
        name: value
        for name, value in parameters.items()
        if value is not None and value is not False and value != ""
    }


@transaction.atomic
def record_planning_assumption(
    *, study: Study, label: str, design: str, parameters: dict, note: str = "", by: User
) -> PlanningAssumption:
    """Save a sample-size calculation to `study`; the result is recomputed here from the parameters."""
    require(
        can_manage_study(by, study.pk), "Only the study's CRM or an administrator saves planning assumptions."
    )
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Say what this assumption is for, e.g. 'Primary endpoint'.")})
    parameters = given_parameters(parameters)
    result = calculate_sample_size(design=design, parameters=parameters)
    assumption = PlanningAssumption(
        study=study,
        label=label,
        design=design,
        parameters=parameters,
        result=result.as_dict(),
        note=note or "",
    )
    return records.create_record(
        assumption, by=by, reason=f"Sample size for {label} saved from the calculator"
    )
