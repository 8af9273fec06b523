"""Pages of start-up and close-out: tick an item of a site's checklist, and sign a gate override."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.sites.models import StudySite
from trialdesk.startup import permissions, rules, selectors, services
from trialdesk.startup.forms import OverrideForm, TickForm


def _site(request, study_site_id) -> StudySite:
    return get_object_or_404(
        StudySite.objects.visible_to(request.user).select_related("study", "institution"), pk=study_site_id
    )


def _site_url(site) -> str:
    return reverse("study_site_detail", kwargs={"study_site_id": site.pk}) + "#site-startup"


@login_required
def tick(request, study_site_id):
    site = _site(request, study_site_id)
    require(
        permissions.can_tick_items(request.user, study_id=site.study_id, study_site_id=site.pk),
        permissions.ONLY_TICKERS,
    )
    gate = request.GET.get("gate") or request.POST.get("gate") or rules.ACTIVATION
    gate = gate if gate in rules.GATE_LABELS else rules.ACTIVATION
    tickable = [i for i in selectors.tracker(site, gate).items if i.tickable and i.pending]
    form = TickForm(post_data(request), items=tickable, initial={"item": request.GET.get("item")})
    return form_page(
        request,
        form,
        lambda f: services.tick_item(
            study_site=site, gate=gate, by=request.user, **{k: f.cleaned_data[k] for k in f.fields}
        ),
        title=gettext("Tick a %(gate_labels)s item at %(site)s of %(code)s")
        % {"gate_labels": rules.GATE_LABELS[gate].lower(), "site": site, "code": site.study.code},
        cancel_url=_site_url(site),
        done=lambda _: _site_url(site),
        saved=gettext("Item ticked."),
        study=site.study,
    )


@login_required
def override(request, study_site_id):
    site = _site(request, study_site_id)
    require(permissions.can_manage_startup(request.user, site.study_id), permissions.ONLY_CRM)
    form = OverrideForm(post_data(request), initial={"gate": request.GET.get("gate", rules.ACTIVATION)})
    return form_page(
        request,
        form,
        lambda f: services.sign_override(
            study=site.study, study_site=site, by=request.user, **f.cleaned_data
        ),
        title=gettext("Sign an override of a gate at %(site)s of %(code)s")
        % {"site": site, "code": site.study.code},
        cancel_url=_site_url(site),
        done=lambda _: _site_url(site),
        saved=gettext("Override signed."),
        study=site.study,
    )
