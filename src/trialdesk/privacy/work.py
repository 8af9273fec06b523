""" "My work" from privacy: the open data-subject requests of the studies where the person is the data
protection officer, each due one month after receipt (GDPR Art 12(3)), and transfers flagged without a
safeguard."""

from django.urls import reverse

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.privacy.models import DataSubjectRequest


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
            f"Answer the {row.get_kind_display().split(' (')[0].lower()} request of "
            f"{row.person or row.requester_reference} (received {row.received_on:%Y-%m-%d})",
            row.due_on,
            reverse("privacy_request", kwargs={"data_subject_request_id": row.pk}),
            row.study.code,
            row.due_on < today,
        )
        for row in rows
    ]


SOURCES = (WorkSource("privacy_requests", "Data-subject requests", open_requests, 450),)
