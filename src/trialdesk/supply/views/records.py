"""Pages of IP records: a shipment and its receipt, an excursion and its decision, a site's kits (with
excursion and destruction forms), a participant's kits (dispense, return), the forecast and the exports.
Each looks the record up in the reader's scope first (404), then asks whether they may act (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.permissions import can_see_subject_level, require
from trialdesk.core.views import form_page, post_data
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import tab_url, visible_study
from trialdesk.subjects.models import Participant
from trialdesk.supply import exports, forecast, forms, selectors, services
from trialdesk.supply.permissions import (
    ONLY_SITE_STAFF,
    ONLY_SUPPLY_MANAGERS,
    can_handle_site_ip,
    can_manage_supply,
    sees_kit_arms,
)
from trialdesk.supply.views.display import account_row, compliance

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORECAST_PAGE_SIMS = 500


def _shipment(request, shipment_id):
    return get_object_or_404(selectors.shipments_for(request.user), pk=shipment_id)


def _may_handle(user, record) -> bool:
    return can_handle_site_ip(user, study_id=record.study_id, study_site_id=record.study_site_id)


@login_required
@require_safe
def shipment_detail(request, shipment_id):
    shipment = _shipment(request, shipment_id)
    user = request.user
    context = {
        "study": shipment.study,
        "shipment": shipment,
        "kits": selectors.kits_for(user).filter(shipment=shipment).order_by("number"),
        "sees_arms": sees_kit_arms(user, shipment.study),
        "sees_participants": can_see_subject_level(user, shipment.study_id),
        "may_receive": shipment.status == "shipped" and _may_handle(user, shipment),
        "excursions": shipment.excursions.all(),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "supply/shipment.html", context)


@login_required
def shipment_receive(request, shipment_id):
    """The site's receipt: kits received, those missing, the temperature log (an upload)."""
    shipment = _shipment(request, shipment_id)
    require(_may_handle(request.user, shipment), ONLY_SITE_STAFF)
    form = forms.ReceiptForm(post_data(request), request.FILES or None)
    if request.method == "POST":

        def save(f):
            log = f.cleaned_data["temperature_log"] or ("", "")
            return services.confirm_receipt(
                shipment=shipment, by=request.user, received_on=f.cleaned_data["received_on"],
                kits_received=f.cleaned_data["kits_received"],
                missing_kit_numbers=forms.numbers(f.cleaned_data["missing_kit_numbers"]),
                temperature_log=log[1], temperature_log_name=log[0],
            )  # fmt: skip

        if submit(form, save) is not None:
            messages.success(
                request, gettext("Receipt of %(number)s confirmed.") % {"number": shipment.number}
            )
            return redirect("supply_shipment_detail", shipment_id=shipment.pk)
    context = {"study": shipment.study, "shipment": shipment, "form": form, "nav": "portfolio"}
    return TemplateResponse(request, "supply/receive.html", context)


@login_required
def excursion_detail(request, excursion_id):
    """An excursion, its quarantined kits and, for the supply manager, the decision form."""
    excursion = get_object_or_404(selectors.excursions_for(request.user), pk=excursion_id)
    user = request.user
    may_decide = can_manage_supply(user, excursion.study_id) and excursion.status == "pending"
    if request.method == "POST":
        require(can_manage_supply(user, excursion.study_id), ONLY_SUPPLY_MANAGERS)
    form = forms.DecisionForm(post_data(request)) if may_decide else None
    if form is not None and request.method == "POST":
        saved = submit(
            form, lambda f: services.decide_excursion(excursion=excursion, by=user, **f.cleaned_data)
        )
        if saved is not None:
            messages.success(
                request, gettext("Decision recorded: kits %(status)s.") % {"status": saved.status}
            )
            return redirect("supply_excursion_detail", excursion_id=excursion.pk)
    context = {
        "study": excursion.study,
        "excursion": excursion,
        "kits": selectors.kits_for(user).filter(excursion=excursion).order_by("number"),
        "form": form,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "supply/excursion.html", context)


def _site(request, study_site_id) -> StudySite:
    sites = StudySite.objects.visible_to(request.user).select_related("study", "institution")
    return get_object_or_404(sites, pk=study_site_id)


@login_required
@require_safe
def site_supply(request, study_site_id):
    """A site's kits by number and state, its account, shipments and (for subject-level readers) what was
    dispensed to whom; never the kit types to blinded readers."""
    site = _site(request, study_site_id)
    user = request.user
    subject_level = can_see_subject_level(user, site.study_id)
    dispensings = selectors.dispensings_for(user, site.study).filter(study_site=site) if subject_level else []
    context = {
        "study": site.study,
        "site": site,
        "account": account_row(site, selectors.site_accounts(site.study, [site.pk]).get(site.pk)),
        "kits": selectors.kits_for(user, site.study)
        .filter(study_site=site)
        .order_by("status", "number")[:500],
        "shipments": selectors.shipments_for(user, site.study).filter(study_site=site)[:50],
        "dispensings": [(d, compliance(d)) for d in dispensings],
        "subjects_hidden": not subject_level,
        "sees_arms": sees_kit_arms(user, site.study),
        "may_handle": _may_handle_site(user, site),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "supply/site.html", context)


def _may_handle_site(user, site: StudySite) -> bool:
    return can_handle_site_ip(user, study_id=site.study_id, study_site_id=site.pk)


@login_required
def site_excursion_create(request, study_site_id):
    site = _site(request, study_site_id)
    require(_may_handle_site(request.user, site), ONLY_SITE_STAFF)
    form = forms.ExcursionForm(post_data(request))

    def save(f):
        values = {**f.cleaned_data, "kit_numbers": forms.numbers(f.cleaned_data["kit_numbers"])}
        return services.record_excursion(study_site=site, by=request.user, **values)

    return form_page(
        request, form, save,
        title=gettext("Temperature excursion at %(site)s · %(code)s")
        % {"site": site, "code": site.study.code},
        cancel_url=reverse("supply_site", kwargs={"study_site_id": site.pk}),
        done=lambda e: reverse("supply_excursion_detail", kwargs={"excursion_id": e.pk}),
        saved=gettext("Excursion recorded; the kits are quarantined until the supply manager decides."),
        study=site.study,
    )  # fmt: skip


@login_required
def site_destruction_create(request, study_site_id):
    site = _site(request, study_site_id)
    require(_may_handle_site(request.user, site), ONLY_SITE_STAFF)
    form = forms.DestructionForm(post_data(request))

    def save(f):
        values = {**f.cleaned_data, "kit_numbers": forms.numbers(f.cleaned_data["kit_numbers"])}
        return services.destroy_kits(study=site.study, study_site=site, by=request.user, **values)

    back = reverse("supply_site", kwargs={"study_site_id": site.pk})
    return form_page(
        request, form, save, cancel_url=back,
        title=gettext("Destruction of kits at %(site)s · %(code)s") % {"site": site, "code": site.study.code},
        done=lambda _: back, saved=gettext("Destruction recorded."), study=site.study,
    )  # fmt: skip


def _participant(request, participant_id) -> Participant:
    participants = Participant.objects.visible_to(request.user).select_related("study", "study_site")
    return get_object_or_404(participants, pk=participant_id)


@login_required
def participant_supply(request, participant_id):
    """A participant's kits by number (never their type), and the dispense form for the site's staff."""
    participant = _participant(request, participant_id)
    user = request.user
    may_handle = _may_handle(user, participant)
    if request.method == "POST":
        require(may_handle, ONLY_SITE_STAFF)
    form = forms.DispenseForm(
        post_data(request), initial={"dispensed_on": participant.study_site.local_today()}
    )
    if request.method == "POST":
        saved = submit(
            form, lambda f: services.dispense_kit(participant=participant, by=user, **f.cleaned_data)
        )
        if saved is not None:
            messages.success(
                request,
                gettext("Kit %(number)s dispensed to %(number2)s.")
                % {"number": saved.kit.number, "number2": participant.number},
            )
            return redirect("supply_participant", participant_id=participant.pk)
    rows = selectors.dispensings_for(user).filter(participant=participant)
    context = {
        "study": participant.study,
        "participant": participant,
        "dispensings": [(d, compliance(d)) for d in rows],
        "form": form if may_handle else None,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "supply/participant.html", context)


@login_required
def dispensing_return(request, dispensing_id):
    dispensing = get_object_or_404(selectors.dispensings_for(request.user), pk=dispensing_id)
    require(_may_handle(request.user, dispensing), ONLY_SITE_STAFF)
    form = forms.ReturnForm(post_data(request))
    back = reverse("supply_participant", kwargs={"participant_id": dispensing.participant_id})
    return form_page(
        request, form,
        lambda f: services.record_return(dispensing=dispensing, by=request.user, **f.cleaned_data),
        title=gettext("Return of kit %(number)s") % {"number": dispensing.kit.number},
        cancel_url=back, done=lambda _: back,
        saved=gettext("Return recorded."), study=dispensing.study,
    )  # fmt: skip


@login_required
@require_safe
def forecast_page(request, study_id):
    """The supply forecast (fewer simulations than the command, for a quick page) for the reader's sites."""
    study = visible_study(request, study_id)
    document = forecast.supply_forecast(study, as_of=timezone.now().date(), sims=FORECAST_PAGE_SIMS)
    visible = set(
        StudySite.objects.visible_to(request.user).filter(study=study).values_list("site_number", flat=True)
    )
    document["sites"] = [row for row in document["sites"] if row["site"] in visible]
    context = {"study": study, "forecast": document, "back": tab_url(study, "supply"), "nav": "portfolio"}
    return TemplateResponse(request, "supply/forecast.html", context)


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def accountability_export(request, study_id):
    study = visible_study(request, study_id)
    user = request.user
    sites = list(StudySite.objects.visible_to(user).filter(study=study).order_by("site_number"))
    accounts = selectors.site_accounts(study, [s.pk for s in sites])
    rows = [account_row(s, accounts.get(s.pk)) for s in sites]
    kits = selectors.kits_for(user, study).select_related("shipment", "destruction").order_by("number")
    content = exports.accountability_workbook(
        rows,
        kits,
        sees_arms=sees_kit_arms(user, study),
        title=gettext("%(code)s IP accountability") % {"code": study.code},
    )
    return _attachment(content, f"{study.code}-ip-accountability.xlsx")


@login_required
@require_safe
def shipments_export(request, study_id):
    study = visible_study(request, study_id)
    shipments = selectors.shipments_for(request.user, study).order_by("shipped_on", "number")
    content = exports.shipments_workbook(
        shipments,
        sees_participants=can_see_subject_level(request.user, study.pk),
        title=f"{study.code} shipments",
    )
    return _attachment(content, f"{study.code}-ip-shipments.xlsx")
