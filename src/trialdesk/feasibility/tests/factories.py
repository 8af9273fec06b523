"""Feasibility records for tests, made through the services (world sites start as identified)."""

import datetime as dt

from trialdesk.feasibility import services


def make_template(study, *, by, name: str = "Site feasibility"):
    return services.create_default_template(study=study, by=by, name=name)


def make_executed_cda(site, *, by, on: dt.date = dt.date(2025, 1, 10)):
    agreement = services.record_cda_sent(study_site=site, by=by, sent_on=on - dt.timedelta(days=7))
    return services.record_cda_executed(
        agreement=agreement,
        by=by,
        executed_on=on,
        document_url=f"https://etmf.example.org/cda-{site.site_number}.pdf",
    )


def make_questionnaire(site, template, *, by):
    make_executed_cda(site, by=by)
    site.refresh_from_db()
    return services.send_questionnaire(template=template, study_site=site, by=by)


def make_questionnaire_as_is(site, template, *, by):
    """A questionnaire written straight through core.records, leaving the site's status as it is (for the
    every-route test, whose world other apps move along the lifecycle too)."""
    from trialdesk.core import records
    from trialdesk.feasibility.models import Questionnaire

    make_executed_cda(site, by=by)
    return records.create_record(
        Questionnaire(study=site.study, study_site=site, template=template, sent_on=dt.date(2025, 1, 20)),
        by=by,
    )
