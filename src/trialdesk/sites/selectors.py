"""Reads for institutions and study sites; every one starts from what the user may see."""

from django.db.models import Q, QuerySet

from trialdesk.core.models import User
from trialdesk.sites.models import Institution


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
