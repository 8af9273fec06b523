"""Reads for institutions and study sites; every one starts from what the user may see."""

from django.db.models import Q, QuerySet

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.scoping import people_visible_to
from trialdesk.sites.models import Institution, StudySite


def institutions_for(user: User, *, search: str = "", country: str = "") -> QuerySet[Institution]:
    """The institution directory as the user may see it, searched by name, department, city or country."""
    institutions = Institution.objects.visible_to(user)
    search, country = search.strip(), country.strip().upper()
    if country:
        institutions = institutions.filter(country=country)
    if search:
        institutions = institutions.filter(
            Q(name__icontains=search)
            | Q(department__icontains=search)
            | Q(city__icontains=search)
            | Q(country__iexact=search)
        )
    return institutions


def sites_for(user: User, study) -> QuerySet[StudySite]:
    """The study's sites that `user` may see, with their institutions."""
    return StudySite.objects.visible_to(user).filter(study=study).select_related("institution")


def investigator_candidates(study, *, current: User | None = None) -> QuerySet[User]:
    """The people who may be picked as a site's principal investigator: the active people with a role in
    the study (at the study or at one of its sites), and the site's present PI (kept, even if inactive,
    so that editing the site does not drop them)."""
    on_study = RoleAssignment.objects.filter(Q(study=study) | Q(study_site__study=study)).values("user_id")
    present = Q(pk=current.pk) if current is not None else Q(pk__in=[])
    return User.objects.filter(Q(is_active=True, pk__in=on_study) | present).order_by(
        "last_name", "first_name", "username"
    )


def people_openable_by(viewer: User, user_ids) -> set[int]:
    """Of `user_ids`, the people whose page `viewer` may open, so that a name links only where the link
    opens (others see the name as text, never a link to a 404): the People pages' rule,
    core.scoping.people_visible_to (one query)."""
    wanted = {pk for pk in user_ids if pk is not None}
    if not wanted:
        return set()
    return set(people_visible_to(viewer).filter(pk__in=wanted).values_list("pk", flat=True))
