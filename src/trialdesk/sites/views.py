"""Pages for the institution directory and for study sites: detail, edit and status lifecycle."""

from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core import extensions
from trialdesk.core.forms import StatusChangeForm
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.sites import rules, services
from trialdesk.sites import selectors as site_selectors
from trialdesk.sites.forms import InstitutionForm, StudySiteForm
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.studies import selectors as study_selectors


def _site_url(site: StudySite) -> str:
    return reverse("study_site_detail", kwargs={"study_site_id": site.pk})


def _visible_site(request, study_site_id) -> StudySite:
    sites = StudySite.objects.visible_to(request.user).select_related("study", "institution")
    return get_object_or_404(sites, pk=study_site_id)


def _status_form(request, site: StudySite) -> StatusChangeForm:
    return StatusChangeForm(
        post_data(request),
        statuses=SiteStatus.choices,
        allowed=rules.allowed_transitions(site.status, status_before_hold=site.status_before_hold),
        record_version=site.version,
    )


@login_required
def study_site_create(request, study_id):
    study = get_object_or_404(study_selectors.studies_for(request.user), pk=study_id)
    require(can_manage_study(request.user, study.pk))
    form = StudySiteForm(
        post_data(request),
        instance=StudySite(study=study),
        institutions=Institution.objects.visible_to(request.user),
    )
    return form_page(
        request,
        form,
        lambda f: services.create_study_site(study=study, by=request.user, **f.changed_values()),
        title=gettext("New site for %(code)s") % {"code": study.code},
        cancel_url=f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=sites",
        done=_site_url,
        saved=gettext("Site added."),
        study=study,
    )


@login_required
@require_safe
def study_site_detail(request, study_site_id):
    site = _visible_site(request, study_site_id)
    milestones = study_selectors.milestones_for(request.user, site.study).filter(study_site=site)
    context = {
        "site": site,
        "study": site.study,
        "local_now": timezone.now().astimezone(site.zone),
        "milestone_rows": [(m, m.standing(site.local_today())) for m in milestones],
        "can_manage": can_manage_study(request.user, site.study_id),
        "pi_openable": bool(
            site_selectors.people_openable_by(request.user, [site.principal_investigator_person_id])
        ),
        "status_form": _status_form(request, site),
        # What the apps above show about the site (its staff, its ethics approval and checklist).
        "panels": [
            (panel.template, found)
            for panel in extensions.site_panels
            if (found := panel.context(request, site)) is not None
        ],
    }
    return TemplateResponse(request, "sites/study_site_detail.html", context)


@login_required
def study_site_edit(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_manage_study(request.user, site.study_id))
    form = StudySiteForm(
        post_data(request), instance=site, institutions=Institution.objects.visible_to(request.user)
    )
    return form_page(
        request,
        form,
        lambda f: services.update_study_site(
            study_site=site,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(site)s of %(code)s") % {"site": site, "code": site.study.code},
        cancel_url=_site_url(site),
        done=_site_url,
        saved=gettext("Site saved."),
        study=site.study,
    )


@login_required
def study_site_status(request, study_site_id):
    """GET: the allowed next statuses; POST `to` and `reason`: the service refuses a move not allowed."""
    site = _visible_site(request, study_site_id)
    require(can_manage_study(request.user, site.study_id))
    return form_page(
        request,
        _status_form(request, site),
        lambda f: services.change_site_status(
            study_site=site,
            to=f.cleaned_data["to"],
            on=f.cleaned_data["on"],
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change the status of %(site)s of %(code)s") % {"site": site, "code": site.study.code},
        cancel_url=_site_url(site),
        done=_site_url,
        saved=gettext("Site status changed."),
        study=site.study,
        current_status=gettext(site.get_status_display()),
    )


@login_required
@require_safe
def institution_list(request):
    search = request.GET.get("search", "").strip()
    institutions = site_selectors.institutions_for(request.user, search=search)
    context = {
        "page": paginate(institutions, request),
        "search": search,
        "can_manage": can_manage_institutions(request.user),
        "nav": "institutions",
    }
    partial = "sites/partials/institution_table.html"
    return TemplateResponse(
        request, partial if wants_partial(request) else "sites/institution_list.html", context
    )


def _visible_institution(request, institution_id) -> Institution:
    return get_object_or_404(Institution.objects.visible_to(request.user), pk=institution_id)


def _institution_url(institution: Institution) -> str:
    return reverse("institution_detail", kwargs={"institution_id": institution.pk})


@login_required
@require_safe
def institution_detail(request, institution_id):
    institution = _visible_institution(request, institution_id)
    sites = (
        StudySite.objects.visible_to(request.user)
        .filter(institution=institution)
        .select_related("study")
        .order_by("study__code", "site_number")
    )
    context = {
        "institution": institution,
        "sites": sites,
        "local_now": timezone.now().astimezone(ZoneInfo(institution.time_zone)),
        "can_manage": can_manage_institutions(request.user),
        "nav": "institutions",
    }
    return TemplateResponse(request, "sites/institution_detail.html", context)


def _time_zones() -> list[str]:
    return sorted(available_timezones())


@login_required
def institution_create(request):
    require(can_manage_institutions(request.user), "Only administrators and CRMs add institutions.")
    return form_page(
        request,
        InstitutionForm(post_data(request)),
        lambda f: services.create_institution(by=request.user, **f.changed_values()),
        title=gettext("New institution"),
        cancel_url=reverse("institution_list"),
        done=_institution_url,
        saved=gettext("Institution added."),
        time_zones=_time_zones(),
    )


@login_required
def institution_edit(request, institution_id):
    institution = _visible_institution(request, institution_id)
    require(can_manage_institutions(request.user), "Only administrators and CRMs change institutions.")
    return form_page(
        request,
        InstitutionForm(post_data(request), instance=institution),
        lambda f: services.update_institution(
            institution=institution,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(institution)s") % {"institution": institution},
        cancel_url=_institution_url(institution),
        done=_institution_url,
        saved=gettext("Institution saved."),
        time_zones=_time_zones(),
    )
