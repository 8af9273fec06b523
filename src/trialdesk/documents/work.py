""" "My work" from the documents app: for a CRM, the essential documents of their studies whose current
version has expired or expires within the study's warning period (TmfProfile.expiry_warning_days), when
no other document filed for the same expected slot is in date."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.documents.models import Document, DocumentVersion, TmfProfile
from trialdesk.documents.rules import expectations, filing
from trialdesk.documents.selectors import CLOSED_SITE_STATUSES, CLOSED_STUDY_STATUSES

DEFAULT_WARNING_DAYS = TmfProfile._meta.get_field("expiry_warning_days").default
SLOT_COLUMNS = ("pk", "study_id", "level", "artifact_number", "country", "study_site_id")


def documents_expiring(user, today) -> list[WorkItem]:
    """Four queries whatever the number of studies: the warning periods, the current versions' expiry
    dates, the documents' slots, and the documents to renew."""
    facts = role_facts(user)
    studies = [study_id for study_id, roles in facts.study_roles.items() if Role.CRM in roles]
    if not studies:
        return []
    documents = (
        Document.objects.visible_to(user)
        .filter(study_id__in=studies)
        .exclude(study__status__in=CLOSED_STUDY_STATUSES)
        .exclude(study_site__status__in=CLOSED_SITE_STATUSES)
    )
    renew = _to_renew(documents, _warning_days(studies), today)
    rows = Document.objects.filter(pk__in=renew).select_related("study", "study_site")
    return [_item(document, *renew[document.pk]) for document in rows]


def _warning_days(study_ids) -> dict[int, int]:
    found = dict(
        TmfProfile.objects.filter(study_id__in=study_ids).values_list("study_id", "expiry_warning_days")
    )
    return {study_id: found.get(study_id, DEFAULT_WARNING_DAYS) for study_id in study_ids}


def _to_renew(documents, warning_days: dict[int, int], today: dt.date) -> dict[int, tuple[str, dt.date]]:
    """{document id: (state, expires on)} of the best document of each slot whose state is expired or
    expiring (documents.selectors.match: the best state among the documents filed for a slot counts)."""
    expiry: dict[int, dt.date | None] = {}
    # Ascending version numbers: the last one seen for a document is its current version.
    versions = DocumentVersion.objects.filter(document__in=documents).order_by("document_id", "number")
    for document_id, expires_on in versions.values_list("document_id", "expires_on"):
        expiry[document_id] = expires_on
    best: dict[tuple, tuple[int, str, dt.date | None]] = {}
    rank = {filing.PRESENT: 0, filing.EXPIRING: 1, filing.EXPIRED: 2}
    columns = documents.values_list(*SLOT_COLUMNS, "protocol_version__number", "person_id")
    for pk, study_id, level, artifact, country, site_id, version, person_id in columns:
        if pk not in expiry:
            continue  # filed without a version yet
        slot = (study_id, expectations.slot_key(
            level=level, artifact_number=artifact, country=country, study_site_id=site_id,
            protocol_version=version or "", person_id=person_id,
        ))  # fmt: skip
        state = filing.expiry_state(expiry[pk], today=today, warning_days=warning_days[study_id])
        if slot not in best or rank[state] < rank[best[slot][1]]:
            best[slot] = (pk, state, expiry[pk])
    return {pk: (state, expires_on) for pk, state, expires_on in best.values() if state != filing.PRESENT}


def _item(document: Document, state: str, expires_on: dt.date) -> WorkItem:
    where = (
        gettext(" (site %(number)s)") % {"number": document.study_site.site_number}
        if document.study_site_id
        else ""
    )
    if state == filing.EXPIRED:
        title = gettext("%(title)s%(where)s expired on %(expires_on)s: file the renewed version")
    else:
        title = gettext("%(title)s%(where)s expires on %(expires_on)s: file the renewed version")
    return WorkItem(
        kind="essential_documents",
        title=title % {"title": document.title, "where": where, "expires_on": expires_on.isoformat()},
        due_on=expires_on,
        url=reverse("document_version_new", kwargs={"document_id": document.pk}),
        study_code=document.study.code,
        overdue=state == filing.EXPIRED,
    )


DOCUMENTS = WorkSource("essential_documents", "Essential documents to renew", documents_expiring, order=60)
