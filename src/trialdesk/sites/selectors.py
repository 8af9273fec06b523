"""Reads for institutions and study sites; every one starts from what the user may see."""

from django.db.models import Q, QuerySet

from trialdesk.core.models import User
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
