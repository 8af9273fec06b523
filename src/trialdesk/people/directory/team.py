"""The study page's Team tab: who holds a role on the study and its sites, and the form to add someone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from trialdesk.core import extensions, services
from trialdesk.core.forms import submit
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.people.directory import selectors
from trialdesk.people.directory.forms import TeamGrantForm
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import tab_url, visible_study
from trialdesk.studies.views.study import study_page


def team_section(request, study, grant_form=None) -> dict:
    """The study's people, study-wide first, then site by site; the grant form for its managers."""
    rows = [
        (assignment, services.may_revoke_role(request.user, assignment))
        for assignment in selectors.team_of(request.user, study)
    ]
    if grant_form is None and can_manage_study(request.user, study.pk):
        grant_form = _team_grant_form(request, study)
    return {"team_rows": rows, "grant_form": grant_form}


def _team_grant_form(request, study, data=None) -> TeamGrantForm:
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    return TeamGrantForm(data, study=study, sites=sites, people=selectors.team_candidates(request.user))


@login_required
def study_team_grant(request, study_id):
    """Put a person on the study's team (the study's CRM or an administrator); errors stay on the tab."""
    study = visible_study(request, study_id)
    if request.method != "POST":
        # The tab links of a page shown after a refused grant point here; send them to the study page.
        tab = request.GET.get("tab", "")
        return redirect(tab_url(study, tab if extensions.study_sections.get(tab) else "team"))
    require(
        can_manage_study(request.user, study.pk), _("Only the study's CRM or an administrator does this.")
    )
    form = _team_grant_form(request, study, request.POST)
    granted = submit(form, lambda f: services.assign_role(by=request.user, **f.grant()))
    if granted is None:
        return study_page(request, study, "team", team_section(request, study, grant_form=form))
    messages.success(
        request,
        _("%(role)s granted to %(username)s.")
        % {"role": _(granted.get_role_display()), "username": granted.user.username},
    )
    return redirect(tab_url(study, "team"))
