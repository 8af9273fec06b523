"""Objects of the safety app for tests/test_scoping_every_route.py, and who may see each."""


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes.

    Adverse events and their obligations are participant-level: sponsor viewers see none of them.
    The calendar feed's token is its own credential: whoever holds it gets the feed (and only GET).
    """
    import datetime as dt

    from tests.factories import make_participant
    from tests.test_scoping_every_route import PEOPLE, SUBJECT_SECRETS, Case
    from trialdesk.safety import deliveries, services
    from trialdesk.safety.models import ReportingObligation
    from trialdesk.safety.tests.factories import make_adverse_event

    participant_a2 = make_participant(world.site_a2, "102-951", by=world.admin)
    # Verbatim terms and narratives the every-route test looks for in what each person may not see.
    event_a1, event_a2, event_b1 = (
        make_adverse_event(
            participant, by=world.admin, verbatim_term=f"{secret} verbatim", narrative=f"{secret} narrative"
        )
        for participant, secret in (
            (participant_a1, "AE-A1"),
            (participant_a2, "AE-A2"),
            (participant_b1, "AE-B1"),
        )
    )
    services.save_safety_settings(
        study=world.study_a, by=world.admin, development_birth_date=dt.date(2020, 6, 15)
    )
    dsur_a = ReportingObligation.objects.get(study=world.study_a, adverse_event__isnull=True)
    _, token = services.create_calendar_feed(user=world.crm)
    subjects_a1 = on_a1 - {"sponsor_viewer"}
    subjects_a2 = on_a_not_a1 - {"sponsor_viewer"}

    def obligation_of(event):
        return ReportingObligation.objects.filter(adverse_event=event).order_by("id").first().pk

    def attachment_of(event):
        obligation = ReportingObligation.objects.filter(adverse_event=event).order_by("id").first()
        return deliveries.attach(
            obligation=obligation,
            kind="report",
            file_name="report.pdf",
            content=b"%PDF-1.4 scoping test report",
            by=world.admin,
        ).pk

    def delivery_of(event):
        obligation = ReportingObligation.objects.filter(adverse_event=event).order_by("id").first()
        found = obligation.deliveries.order_by("id").first()
        if found is None:
            found = deliveries.plan_deliveries(obligation=obligation, distribution="committees", by=None)[0]
        return found.pk

    SUBJECT_SECRETS.update(
        {
            "102-951": subjects_a2,
            "AE-A1 verbatim": subjects_a1,
            "AE-A1 narrative": subjects_a1,
            "AE-A2 verbatim": subjects_a2,
            "AE-A2 narrative": subjects_a2,
            "AE-B1 verbatim": on_b,
            "AE-B1 narrative": on_b,
        }
    )
    return {
        "adverse_event_id": [
            Case("an adverse event at A1", event_a1.pk, subjects_a1),
            Case("an adverse event at A2", event_a2.pk, subjects_a2),
            Case("an adverse event at B1", event_b1.pk, on_b),
        ],
        "obligation_id": [
            Case("a reporting obligation at A1", obligation_of(event_a1), subjects_a1),
            Case("a reporting obligation at A2", obligation_of(event_a2), subjects_a2),
            Case("a reporting obligation at B1", obligation_of(event_b1), on_b),
            Case("the DSUR of study A", dsur_a.pk, subjects_a1),
        ],
        "attachment_id": [
            Case("a report attached to an obligation at A1", attachment_of(event_a1), subjects_a1),
            Case("a report attached to an obligation at B1", attachment_of(event_b1), on_b),
        ],
        "delivery_id": [
            Case("a report's delivery to a committee at A1", delivery_of(event_a1), subjects_a1),
            Case("a report's delivery to a committee at B1", delivery_of(event_b1), on_b),
        ],
        "token": [Case("the CRM's calendar feed", token, frozenset(PEOPLE))],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/ctcae-terms"),
    ("GET", "/api/v1/studies/{study_id}/adverse-events"),
    ("POST", "/api/v1/studies/{study_id}/adverse-events"),
    ("GET", "/api/v1/adverse-events/{adverse_event_id}"),
    ("GET", "/api/v1/adverse-events/{adverse_event_id}/versions"),
    ("POST", "/api/v1/adverse-events/{adverse_event_id}/versions"),
    ("GET", "/api/v1/adverse-events/{adverse_event_id}/obligations"),
    ("GET", "/api/v1/obligations"),
    ("GET", "/api/v1/studies/{study_id}/obligations"),
    ("GET", "/api/v1/obligations/{obligation_id}"),
    ("POST", "/api/v1/obligations/{obligation_id}/submit"),
    ("GET", "/api/v1/obligations/{obligation_id}/deliveries"),
    ("POST", "/api/v1/obligation-deliveries/{delivery_id}"),
    ("GET", "/api/v1/studies/{study_id}/line-listing"),
    ("GET", "/api/v1/safety-settings/{study_id}"),
    ("PUT", "/api/v1/safety-settings/{study_id}"),
    ("GET", "/api/v1/studies/{study_id}/committee-policies"),
    ("POST", "/api/v1/studies/{study_id}/committee-policies"),
    ("GET", "/api/v1/studies/{study_id}/reporting-exemptions"),
    ("POST", "/api/v1/studies/{study_id}/reporting-exemptions"),
    ("GET", "/api/v1/studies/{study_id}/reference-safety-information"),
    ("POST", "/api/v1/studies/{study_id}/reference-safety-information"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {"study_id", "adverse_event_id", "obligation_id", "delivery_id"}
