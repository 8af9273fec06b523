"""Pages of the people app: a site's staff page, and the forms for training, delegations (create, sign,
end) and financial disclosures.

Each page first finds its study, site or entry among those the user may see (else 404), then asks the
permission question (else 403), then validates; the services do the writing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.permissions import can_work_at_some_site, require
from trialdesk.core.views import form_page, post_data
from trialdesk.people import selectors, services
from trialdesk.people.forms import (
    DelegationForm,
    DisclosureForm,
    EndDelegationForm,
    SignDelegationForm,
    TrainingRecordForm,
)
from trialdesk.people.models import DelegationEntry
from trialdesk.people.permissions import (
    can_keep_delegation_log,
    can_record_some_disclosure,
    can_sign_delegation,
)
from trialdesk.people.tabs import staff_context
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion
from trialdesk.studies.pages import tab_url, visible_study


def site_staff_url(site) -> str:
    return reverse("site_staff", kwargs={"study_site_id": site.pk})


def _visible_site(request, study_site_id) -> StudySite:
    sites = StudySite.objects.visible_to(request.user).select_related("study", "institution")
    return get_object_or_404(sites, pk=study_site_id)


def _visible_entry(request, delegation_entry_id) -> DelegationEntry:
    entries = DelegationEntry.objects.visible_to(request.user).select_related(
        "study", "study_site__institution", "staff_member", "signed_by"
    )
    return get_object_or_404(entries, pk=delegation_entry_id)


@login_required
@require_safe
def site_staff(request, study_site_id):
    """One site's staff: its delegation log with training flags, and its investigators' disclosures."""
    site = _visible_site(request, study_site_id)
    context = staff_context(request, site.study, only_site=site)
    context.update({"site": site, "study": site.study, "nav": "portfolio"})
    return TemplateResponse(request, "people/site_staff.html", context)


@login_required
def training_record_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_work_at_some_site(request.user, study.pk), _(services.ONLY_TRAINING_KEEPERS))
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    people = selectors.staff_of_study(study)
    versions = ProtocolVersion.objects.filter(study=study)
    form = TrainingRecordForm(
        post_data(request), people=people, sites=sites, versions=versions, initial=request.GET.dict()
    )
    return form_page(
        request,
        form,
        lambda f: services.record_training(study=study, by=request.user, **f.cleaned_data),
        title=f"New training record — {study.code}",
        cancel_url=tab_url(study, "staff"),
        done=lambda record: tab_url(study, "staff"),
        saved="Training record filed.",
        study=study,
    )


@login_required
def delegation_create(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_keep_delegation_log(request.user, site), _(services.ONLY_LOG_KEEPERS))
    form = DelegationForm(post_data(request), staff=selectors.site_staff_of(site))
    return form_page(
        request,
        form,
        lambda f: services.create_delegation(study_site=site, by=request.user, **f.cleaned_data),
        title=f"Delegate tasks at site {site.site_number}",
        cancel_url=site_staff_url(site),
        done=lambda entry: site_staff_url(site),
        saved="Delegation added; it takes effect once the investigator signs it.",
        study=site.study,
    )


@login_required
def delegation_sign(request, delegation_entry_id):
    """The investigator re-enters their password to sign a delegation ("delegation approved")."""
    entry = _visible_entry(request, delegation_entry_id)
    require(can_sign_delegation(request.user, entry.study_site), _(services.ONLY_INVESTIGATOR_SIGNS))
    form = SignDelegationForm(post_data(request))
    if request.method == "POST":
        signed = submit(
            form,
            lambda f: services.sign_delegation(
                entry=entry, password=f.cleaned_data["password"], by=request.user
            ),
        )
        if signed is not None:
            messages.success(request, _("Delegation signed (delegation approved)."))
            return redirect(site_staff_url(entry.study_site))
    gaps = selectors.training_gaps_of(
        entry.study, [entry.staff_member_id], on=entry.study_site.local_today(), tasks=entry.tasks
    )[entry.staff_member_id]
    context = {
        "entry": entry,
        "study": entry.study,
        "form": form,
        "training_gaps": gaps,
        "cancel_url": site_staff_url(entry.study_site),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "people/sign_delegation.html", context)


@login_required
def delegation_end(request, delegation_entry_id):
    entry = _visible_entry(request, delegation_entry_id)
    require(can_keep_delegation_log(request.user, entry.study_site), _(services.ONLY_LOG_KEEPERS))
    form = EndDelegationForm(post_data(request), initial={"version": entry.version})
    return form_page(
        request,
        form,
        lambda f: services.end_delegation(
            entry=entry,
            ends_on=f.cleaned_data["ends_on"],
            by=request.user,
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data.get("version"),
        ),
        title=f"End the delegation to {entry.staff_member} at site {entry.study_site.site_number}",
        cancel_url=site_staff_url(entry.study_site),
        done=lambda ended: site_staff_url(entry.study_site),
        saved="Delegation ended.",
        study=entry.study,
    )


@login_required
def disclosure_create(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_record_some_disclosure(request.user, site), _(services.ONLY_DISCLOSURE_KEEPERS))
    investigators = selectors.investigators_of([site]).get(site.pk, {})
    people = selectors.staff_of_study(site.study).filter(pk__in=list(investigators))
    form = DisclosureForm(post_data(request), investigators=people)

    def save(f):
        data = f.cleaned_data
        return services.record_disclosure(
            study_site=site,
            investigator=data["investigator"],
            occasion=data["occasion"],
            disclosed_on=data["disclosed_on"],
            has_interests=data["has_interests"],
            interests=data["interests"],
            note=data["note"],
            by=request.user,
        )

    return form_page(
        request,
        form,
        save,
        title=f"Record a financial disclosure at site {site.site_number}",
        cancel_url=site_staff_url(site),
        done=lambda disclosure: site_staff_url(site),
        saved="Financial disclosure recorded.",
        study=site.study,
    )
