""" "My work" from the subjects app: for a site's coordinators and investigators, the participants of
their own sites who must re-consent on a newly approved consent version, overdue first (the Re-consent
tab's worklist, narrowed to the sites where the person consents participants)."""

from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import SITE_STAFF_ROLES
from trialdesk.core.scoping import role_facts
from trialdesk.studies.models import Study
from trialdesk.subjects.selectors import ReconsentItem, reconsent_worklist
from trialdesk.subjects.selectors.reconsent import NEW_VERSION


def reconsents_due(user, today) -> list[WorkItem]:
    """The worklist's queries once per study where the person is site staff (a handful at most)."""
    facts = role_facts(user)
    sites = {site_id for site_id, roles in facts.site_roles.items() if roles & SITE_STAFF_ROLES}
    if not sites:
        return []
    studies = Study.objects.visible_to(user).filter(pk__in={facts.study_of_site[s] for s in sites})
    return [
        _item(entry, study)
        for study in studies.order_by("code")
        for entry in reconsent_worklist(user, study)
        if entry.participant.study_site_id in sites
    ]


def _item(entry: ReconsentItem, study: Study) -> WorkItem:
    participant = entry.participant
    version = entry.consent_version
    title = gettext(
        "Re-consent participant %(number)s (site %(site)s) on consent v%(version)s (%(language)s)"
    ) % {
        "number": participant.number,
        "site": participant.study_site.site_number,
        "version": version.label,
        "language": version.language,
    }
    if entry.why != NEW_VERSION:
        title += f": {entry.why}"
    return WorkItem(
        kind="reconsent",
        title=title,
        due_on=entry.due_on,
        url=reverse("participant_consent", kwargs={"participant_id": participant.pk}),
        study_code=study.code,
        overdue=entry.is_overdue,
    )


RECONSENTS = WorkSource("reconsent", "Re-consents due", reconsents_due, order=20)
