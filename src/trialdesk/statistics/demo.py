"""The statistics part of the demo portfolio: each study's enrollment forecast, stored at load as the
nightly `trialdesk forecast refresh` would store it, so that the portfolio's Forecast column and the
study's enrollment health read a forecast from the start instead of "no forecast yet"."""

from trialdesk.core.demo import DemoContext
from trialdesk.statistics.forecasts import refresh_enrollment_forecast
from trialdesk.studies.models import Study


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders), after the participants are enrolled."""
    for study in Study.objects.order_by("code"):
        refresh_enrollment_forecast(study=study, as_of=demo.today)
    demo.summary.append(f"{Study.objects.count()} enrollment forecasts")
