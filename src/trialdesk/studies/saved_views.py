"""Saved portfolio views: a person keeps the portfolio's filters and sort under a name and picks them
later; a view may be shared with everyone (each still sees only the studies in their own scope). Only the
portfolio's own parameters are kept, so a saved view is never more than a link to the portfolio."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import QueryDict

from trialdesk.core.models import User
from trialdesk.studies.models import PortfolioView

PARAMETERS = ("search", "status", "phase", "therapeutic_area", "sort")
MAX_VIEWS = 50


def kept_query(query: str) -> str:
    """The portfolio's own parameters of `query` (a query string), in a fixed order, empty ones dropped."""
    given = QueryDict(query.lstrip("?"))
    kept = QueryDict(mutable=True)
    for name in PARAMETERS:
        value = (given.get(name) or "").strip()
        if value:
            kept[name] = value[:100]
    return kept.urlencode()


def views_for(user: User):
    """The person's own views and those others share, own first."""
    if not user.is_authenticated:
        return PortfolioView.objects.none()
    return (
        PortfolioView.objects.filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .annotate(others=Case(When(owner=user, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("others", "name", "pk")
    )


@transaction.atomic
def save_view(*, by: User, name: str, query: str, shared: bool = False) -> PortfolioView:
    """Save (or replace, by name) one of `by`'s portfolio views."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > 80:
        raise ValidationError({"name": "A view's name has at most 80 characters."})
    existing = PortfolioView.objects.filter(owner=by, name=name).first()
    if existing is None and PortfolioView.objects.filter(owner=by).count() >= MAX_VIEWS:
        raise ValidationError({"name": f"You have {MAX_VIEWS} saved views already; delete one first."})
    values = {"query": kept_query(query), "shared": bool(shared)}
    try:
        view, _ = PortfolioView.objects.update_or_create(owner=by, name=name, defaults=values)
    except IntegrityError:  # saved twice at once under the same name
        raise ValidationError({"name": "You have a view of that name already."}) from None
    return view


def delete_view(*, by: User, view: PortfolioView) -> None:
    """Delete one of `by`'s own views (someone else's is not theirs to delete)."""
    if view.owner_id != by.pk:
        raise ValidationError("Only the person who saved a view deletes it.")
    view.delete()
