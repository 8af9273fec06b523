""" "My work" from privacy: the open data-subject requests of the studies where the person is the data
protection officer, each due one month after receipt (GDPR Art 12(3)), and transfers flagged without a
safeguard."""

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.privacy.models import DataSubjectRequest

# Each kind of request as the work item's sentence names it (requests.KINDS' label, lower case, no article).
KIND_WORDS = {
    "access": gettext_noop("access"),
    "rectification": gettext_noop("rectification"),
    "erasure": gettext_noop("erasure"),
}


def dpo_studies(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return [sid for sid, roles in role_facts(user).study_roles.items() if Role.DPO in roles]


def open_requests(user, today) -> list[WorkItem]:
    rows = DataSubjectRequest.objects.filter(study_id__in=dpo_studies(user), status="open").select_related(
        "study", "person"
    )
    return [
        WorkItem(
            "privacy_requests",
            gettext("Answer the %(kind)s request of %(person)s (received %(received_on)s)")
            % {
                "kind": gettext(KIND_WORDS[row.kind]) if row.kind in KIND_WORDS else row.kind,
                "person": row.person or row.requester_reference,
                "received_on": f"{row.received_on:%Y-%m-%d}",
            },
            row.due_on,
            reverse("privacy_request", kwargs={"data_subject_request_id": row.pk}),
            row.study.code,
            row.due_on < today,
        )
        for row in rows
    ]


SOURCES = (WorkSource("privacy_requests", "Data-subject requests", open_requests, 450),)
