"""The People pages: the directory of accounts, one person's roles, and what an administrator or a CRM
may change about them (open and deactivate accounts, grant and revoke roles)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_safe

from trialdesk.core import services
from trialdesk.core.forms import ReasonForm, submit
from trialdesk.core.models import User
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import post_data, wants_partial
from trialdesk.people.directory import selectors
from trialdesk.people.directory.forms import PersonForm, RoleGrantForm
from trialdesk.sites.models import StudySite


@login_required
@require_safe
def people_page(request):
    """Administrators: everyone. CRMs: the people on their studies. Others: themselves."""
    search = request.GET.get("q", "").strip()
    context = {
        "page": paginate(selectors.people_list(request.user, search=search), request),
        "search": search,
        "may_create": services.may_manage_accounts(request.user),
        "nav": "people",
    }
    partial = wants_partial(request)
    template = "people/directory/partials/people_table.html" if partial else "people/directory/people.html"
    return TemplateResponse(request, template, context)


@login_required
def person_create(request):
    require(services.may_manage_accounts(request.user), _("Only administrators create accounts."))
    form = PersonForm(post_data(request))
    created = submit(form, lambda f: services.create_user(by=request.user, **f.cleaned_data))
    if created is not None:
        person, password = created
        messages.success(request, _("Account %(username)s created.") % {"username": person.username})
        return person_page(request, person, one_time_password=password)
    context = {"form": form, "title": "New person", "cancel_url": reverse("people"), "nav": "people"}
    return TemplateResponse(request, "form_page.html", context)


def _visible_person(request, user_id) -> User:
    return get_object_or_404(selectors.people_for(request.user), pk=user_id)


def _person_url(person: User) -> str:
    return reverse("person_detail", kwargs={"user_id": person.pk})


def _grant_form(viewer, data=None) -> RoleGrantForm | None:
    """The grant form, offering the studies whose team the viewer manages; None if there are none."""
    if not selectors.manages_people(viewer):
        return None
    return RoleGrantForm(
        data,
        studies=selectors.studies_managed_by(viewer).order_by("code"),
        sites=StudySite.objects.visible_to(viewer),
        with_administrator=services.may_manage_accounts(viewer),
    )


def person_page(request, person, *, grant_form=None, status_form=None, one_time_password="", status=200):
    """One person: the roles the viewer may see, and what the viewer may change about them."""
    viewer = request.user
    roles = selectors.roles_of(viewer, person)
    context = {
        "person": person,
        "role_rows": [(role, services.may_revoke_role(viewer, role)) for role in roles],
        "grant_form": grant_form or _grant_form(viewer),
        "may_manage_account": services.may_manage_accounts(viewer),
        "status_form": status_form or ReasonForm(),
        "one_time_password": one_time_password,
        "history": selectors.account_history(viewer, person)[:50],
        "nav": "people",
    }
    return TemplateResponse(request, "people/directory/person_detail.html", context, status=status)


@login_required
def person_detail(request, user_id):
    # Someone out of sight is 404 whatever the method, so look them up before checking the method.
    person = _visible_person(request, user_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return person_page(request, person)


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def person_role_grant(request, user_id):
    person = _visible_person(request, user_id)
    if refused := _post_only(request):
        return refused
    require(selectors.manages_people(request.user), _("Only administrators and CRMs grant roles."))
    form = _grant_form(request.user, request.POST)
    granted = submit(form, lambda f: services.assign_role(user=person, by=request.user, **f.grant()))
    if granted is None:
        return person_page(request, person, grant_form=form)
    messages.success(
        request,
        _("%(role)s granted to %(username)s.")
        % {"role": _(granted.get_role_display()), "username": person.username},
    )
    return redirect(_person_url(person))


@login_required
def person_role_revoke(request, user_id, role_assignment_id):
    """Revoke one role (with a reason); back to the page the form was on."""
    person = _visible_person(request, user_id)
    assignment = get_object_or_404(selectors.roles_of(request.user, person), pk=role_assignment_id)
    if refused := _post_only(request):
        return refused
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = _person_url(person)
    try:
        services.revoke_role(assignment=assignment, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, _("The role was not revoked: %(why)s") % {"why": " ".join(error.messages)})
    else:
        messages.success(
            request,
            _("%(role)s revoked from %(username)s.")
            % {"role": _(assignment.get_role_display()), "username": person.username},
        )
    return redirect(target)


def _account_change(request, user_id, change, done: str):
    person = _visible_person(request, user_id)
    if refused := _post_only(request):
        return refused
    require(services.may_manage_accounts(request.user), _("Only administrators change accounts."))
    form = ReasonForm(request.POST)
    if submit(form, lambda f: change(user=person, by=request.user, reason=f.cleaned_data["reason"])) is None:
        return person_page(request, person, status_form=form)
    messages.success(request, _(done) % {"person": person.username})
    return redirect(_person_url(person))


@login_required
def person_deactivate(request, user_id):
    return _account_change(
        request, user_id, services.deactivate_user, gettext_noop("%(person)s can no longer sign in.")
    )


@login_required
def person_reactivate(request, user_id):
    return _account_change(
        request, user_id, services.reactivate_user, gettext_noop("%(person)s can sign in again.")
    )


@login_required
def person_password_reset(request, user_id):
    """A new one-time password for the person, shown once on the page that answers."""
    person = _visible_person(request, user_id)
    if refused := _post_only(request):
        return refused
    password = services.reset_password(user=person, by=request.user)
    messages.success(
        request,
        _("Password of %(username)s reset; their account is unlocked.") % {"username": person.username},
    )
    return person_page(request, person, one_time_password=password)
