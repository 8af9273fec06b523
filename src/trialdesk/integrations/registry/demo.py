"""Demo registry record: ONC-301's ClinicalTrials.gov entry, written to disagree with Trialdesk a little.

The record is fictional (the NCT09 range is not assigned) and built from the demo study itself, so that
the Registry tab and the obligations board have something to show: an enrollment the registry still
gives as 560, a site on hold in Trialdesk that the registry still lists as recruiting, no study completion
date in the registry, a registration made 30 days after the first participant, and a record last
verified 380 days ago (the yearly verification is overdue, so the obligations board shows it).
"""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.integrations.registry import rules
from trialdesk.integrations.registry.services import import_record
from trialdesk.interop import ctgov
from trialdesk.sites import rules as site_rules
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Milestone, MilestoneKind, Study

DEMO_STUDY = "ONC-301"


def load_registry_demo(*, today: dt.date, users: dict) -> None:
    study = Study.objects.filter(code=DEMO_STUDY).first()
    if study is None or not study.nct_number:
        return
    record = ctgov.parse_record(_record(study, today))
    import_record(record, by=users["crm"], today=today)


def load_demo(*, today: dt.date, users: dict) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    load_registry_demo(today=today, users=users)


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders): this area's records for the demo people."""
    load_demo(today=demo.today, users=demo.users)


def _record(study: Study, today: dt.date) -> dict:
    first_in = (
        Milestone.objects.filter(
            study=study, kind=MilestoneKind.FIRST_PARTICIPANT_IN, study_site__isnull=True
        )
        .values_list("actual_on", flat=True)
        .first()
    ) or today - dt.timedelta(days=300)
    locations = [
        {
            "facility": site.institution.name,
            "city": site.institution.city,
            "state": site.institution.region or None,
            "country": site_rules.country_name(site.institution.country),
            # The registry was not told that the site went on hold: the one site status that differs.
            "status": "RECRUITING"
            if site.status == "on_hold"
            else rules.REGISTRY_SITE_STATUS_OF[site.status],
        }
        for site in StudySite.objects.filter(study=study)
        .select_related("institution")
        .order_by("site_number")
        if site.status not in ("identified", "under_feasibility", "selected")
    ]
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": study.nct_number,
                "briefTitle": study.title,
                "officialTitle": study.title,
                "acronym": study.acronym,
            },
            "statusModule": {
                "overallStatus": "RECRUITING",
                "startDateStruct": {"date": first_in.isoformat(), "type": "ACTUAL"},
                "primaryCompletionDateStruct": {
                    "date": (today + dt.timedelta(days=700)).isoformat(),
                    "type": "ESTIMATED",
                },
                "studyFirstSubmitDate": (first_in + dt.timedelta(days=30)).isoformat(),
                "lastUpdateSubmitDate": (today - dt.timedelta(days=380)).isoformat(),
                "lastUpdatePostDateStruct": {
                    "date": (today - dt.timedelta(days=378)).isoformat(),
                    "type": "ACTUAL",
                },
            },
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": study.sponsor, "class": "INDUSTRY"}},
            "oversightModule": {"isFdaRegulatedDrug": True, "isFdaRegulatedDevice": False},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE3"],
                "designInfo": {"maskingInfo": {"masking": "DOUBLE"}},
                "enrollmentInfo": {"count": 560, "type": "ESTIMATED"},
            },
            "armsInterventionsModule": {
                "armGroups": [{"label": arm.name, "type": arm.arm_type.upper()} for arm in study.arms.all()]
            },
            "conditionsModule": {"conditions": ["Non-small Cell Lung Cancer"]},
            "contactsLocationsModule": {"locations": locations},
        }
    }
