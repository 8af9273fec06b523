"""The study site page's summary panel (core.extensions.site_panels): the site's contacts as people (the
role holders on the site and the study's CRM and monitors, the delegation log's principal investigator)
and its enrollment against its target and the recruitment plan to date. Registered by reporting, which
sits above the apps it reads; counts are aggregates any reader of the site may count (countable_by)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.models import RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.people.models import DelegationEntry
from trialdesk.sites.selectors import people_openable_by
from trialdesk.statistics import plans
from trialdesk.subjects.models import Participant, ParticipantStatus

STUDY_CONTACT_ROLES = (Role.CRM, Role.MONITOR)
# Site roles first, in the order a visitor looks for them.
ORDER = {Role.INVESTIGATOR: 0, Role.COORDINATOR: 1, Role.MONITOR: 2, Role.CRM: 3}


def contacts(site) -> list[dict]:
    """Each person to contact about the site, once, with their roles in words (two queries)."""
    found: dict[int, dict] = {}
    rows = (
        RoleAssignment.objects.filter(
            Q(study_site=site) | Q(study_id=site.study_id, role__in=STUDY_CONTACT_ROLES)
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for row in rows:
        if not row.user.is_active:
            continue
        person = found.setdefault(row.user_id, _person(row.user))
        person["roles"].append(Role(row.role).label if row.role in Role.values else row.role)
        person["rank"] = min(person["rank"], ORDER.get(row.role, 9))
    today = site.local_today()
    for entry in DelegationEntry.objects.filter(
        study_site=site, study_role="principal_investigator"
    ).select_related("staff_member"):
        if entry.in_force_on(today):
            person = found.setdefault(entry.staff_member_id, _person(entry.staff_member))
            if "Principal investigator (delegation log)" not in person["roles"]:
                person["roles"].append("Principal investigator (delegation log)")
            person["rank"] = 0
    if (pi := site.principal_investigator_person) is not None and pi.is_active:
        # The site's PI as one of the people (issue 16 §4), first among the contacts.
        person = found.setdefault(pi.pk, _person(pi))
        person["roles"].insert(0, gettext("Principal investigator"))
        person["rank"] = 0
    return sorted(found.values(), key=lambda person: (person["rank"], person["name"]))


def _person(user) -> dict:
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.username,
        "email": user.email,
        "roles": [],
        "rank": 9,
        "url": None,
    }


def linked(user, people: list[dict]) -> list[dict]:
    """Each contact's person page where the reader may open it; a name without a link elsewhere."""
    openable = people_openable_by(user, [person["id"] for person in people])
    for person in people:
        if person["id"] in openable:
            person["url"] = reverse("person_detail", kwargs={"user_id": person["id"]})
    return people


def enrollment(user, site) -> dict:
    """Enrolled at the site (counted, never read), its target, and the plan's figure to date."""
    enrolled = (
        Participant.objects.countable_by(user)
        .filter(study_site=site, enrolled_on__isnull=False)
        .exclude(status=ParticipantStatus.SCREENING)
        .count()
    )
    plan = plans.plan_of(user, site.study)
    lines = [line for line in (plan.lines if plan else []) if line["site"] == site.site_number]
    this_month = site.local_today().strftime("%Y-%m")
    planned = (
        sum(line["planned_enrollment"] for line in lines if line["month"] <= this_month) if lines else None
    )
    target = site.target_enrollment or 0
    return {
        "enrolled": enrolled,
        "target": target,
        "share": round(100 * enrolled / target) if target else None,
        "planned_to_date": planned,
        "behind_plan": planned is not None and enrolled < planned,
    }


def site_panel(request, site) -> dict:
    return {
        "site": site,
        "contacts": linked(request.user, contacts(site)),
        "enrollment": enrollment(request.user, site),
        "staff_url": reverse("site_staff", kwargs={"study_site_id": site.pk}),
    }
