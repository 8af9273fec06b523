"""Pages of the samples app: the study's samples page (reconciliation, shipments, permits, laboratories,
sample types) and its Excel export, a site's samples with collection and shipping, a shipment with its
custody, temperature log and receipt. Thin: selector → service → template; 404 outside the reader's
scope, 403 to those who may not write."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.apiutils import XLSX
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_see_subject_level, require
from trialdesk.core.views import form_page, post_data
from trialdesk.samples import exports, rules, selectors, services
from trialdesk.samples.forms import (
    CollectForm,
    CustodyForm,
    LaboratoryForm,
    PermitForm,
    ReceiptForm,
    SampleTypeForm,
    ShipForm,
    TemperatureForm,
)
from trialdesk.samples.permissions import (
    ONLY_MANAGERS,
    ONLY_SHIPPERS,
    ONLY_SITE_STAFF,
    can_collect_samples,
    can_manage_samples,
    can_ship_samples,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import visible_study
from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ScheduledVisit


def overview_url(study) -> str:
    return reverse("samples_overview", kwargs={"study_id": getattr(study, "pk", study)})


def site_url(site) -> str:
    return reverse("samples_site", kwargs={"study_site_id": getattr(site, "pk", site)})


def shipment_url(shipment) -> str:
    return reverse("samples_shipment", kwargs={"sample_shipment_id": shipment.pk})


def _visible_site(request, study_site_id) -> StudySite:
    sites = StudySite.objects.visible_to(request.user).select_related("study", "institution")
    return get_object_or_404(sites, pk=study_site_id)


def _visible_shipment(request, sample_shipment_id):
    return get_object_or_404(selectors.shipments_for(request.user), pk=sample_shipment_id)


def permit_rows(permits, today):
    """Permits with what the page says of them: expired, expiring within 60 days."""
    rows = list(permits)
    for permit in rows:
        permit.expired = permit.valid_until < today
        permit.expiring = rules.expiring(permit.valid_until, today=today)
    return rows


@login_required
@require_safe
def samples_overview(request, study_id):
    """The study's samples: reconciliation per site, shipments, permits, laboratories and sample types."""
    study = visible_study(request, study_id)
    user = request.user
    context = {
        "study": study,
        "reconciliation": selectors.reconciliation(user, study),
        "page": paginate(selectors.shipments_for(user, study), request),
        "permits": permit_rows(selectors.permits_for(user, study), timezone.now().date()),
        "laboratories": selectors.laboratories_for(user, study),
        "sample_types": selectors.sample_types_for(user, study),
        "rules": rules.PERMIT_RULES,
        "eu_rule": rules.EU_INTERNAL,
        "may_manage": can_manage_samples(user, study.pk),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "samples/overview.html", context)


@login_required
@require_safe
def samples_export(request, study_id):
    """Shipments and the reconciliation as an Excel workbook (discrepant samples for readers of them)."""
    study = visible_study(request, study_id)
    user = request.user
    content = exports.samples_workbook(
        shipments=selectors.shipments_for(user, study),
        reconciliation=selectors.reconciliation(user, study),
        title=f"{study.code} samples",
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{study.code}-samples.xlsx"'
    return response


def _study_record_page(request, study_id, form_class, create, *, what: str, saved: str):
    """A manager's page recording one of the study's reference records (a laboratory, a sample type)."""
    study = visible_study(request, study_id)
    require(can_manage_samples(request.user, study.pk), ONLY_MANAGERS)
    return form_page(
        request,
        form_class(post_data(request)),
        lambda f: create(study=study, by=request.user, **f.cleaned_data),
        title=gettext("New %(what)s · %(code)s") % {"what": what, "code": study.code},
        cancel_url=overview_url(study),
        done=lambda _record: overview_url(study),
        saved=saved,
        study=study,
    )


@login_required
def laboratory_create(request, study_id):
    return _study_record_page(
        request,
        study_id,
        LaboratoryForm,
        services.create_laboratory,
        what="central laboratory",
        saved=gettext("Laboratory recorded."),
    )


@login_required
def sample_type_create(request, study_id):
    return _study_record_page(
        request,
        study_id,
        SampleTypeForm,
        services.create_sample_type,
        what="sample type",
        saved=gettext("Sample type recorded."),
    )


def _type_codes(request, study) -> list[str]:
    return list(selectors.sample_types_for(request.user, study).values_list("code", flat=True))


@login_required
def permit_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_samples(request.user, study.pk), ONLY_MANAGERS)
    form = PermitForm(post_data(request), type_codes=_type_codes(request, study))
    return form_page(
        request,
        form,
        lambda f: services.record_permit(study=study, by=request.user, **f.values()),
        title=gettext("New sample permit · %(code)s") % {"code": study.code},
        cancel_url=overview_url(study),
        done=lambda _permit: overview_url(study),
        saved=gettext("Permit recorded."),
        study=study,
    )


@login_required
def permit_edit(request, sample_permit_id):
    permit = get_object_or_404(selectors.permits_for(request.user), pk=sample_permit_id)
    study = permit.study
    require(can_manage_samples(request.user, study.pk), ONLY_MANAGERS)
    fields = ("direction", "from_country", "to_country", "authority", "number", "valid_from", "valid_until")
    initial = {name: getattr(permit, name) for name in (*fields, "sample_type_codes", "covers")}
    form = PermitForm(
        post_data(request),
        type_codes=_type_codes(request, study),
        initial=initial,
        edit_version=permit.version,
    )
    return form_page(
        request,
        form,
        lambda f: services.update_permit(
            permit=permit,
            by=request.user,
            changes=f.values(),
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data["version"],
        ),
        title=gettext("Change permit %(number)s · %(code)s") % {"number": permit.number, "code": study.code},
        cancel_url=overview_url(study),
        done=lambda _permit: overview_url(study),
        saved=gettext("Permit changed."),
        study=study,
    )


@login_required
@require_safe
def site_samples(request, study_site_id):
    """A site's samples (participant-level: hidden from subject-blind readers), those waiting to ship,
    its shipments and its line of the reconciliation."""
    site = _visible_site(request, study_site_id)
    user = request.user
    hidden = not can_see_subject_level(user, site.study_id)
    samples = selectors.samples_for(user, site.study, study_site=site)
    context = {
        "study": site.study,
        "site": site,
        "hidden": hidden,
        "page": paginate(samples, request),
        "waiting": selectors.samples_for(user, site.study, study_site=site, waiting=True).count(),
        "shipments": selectors.shipments_for(user, site.study, study_site=site),
        "reconciliation": selectors.reconciliation(user, site.study, study_site=site),
        "may_collect": can_collect_samples(user, study_id=site.study_id, study_site_id=site.pk),
        "may_ship": can_ship_samples(user, study_id=site.study_id, study_site_id=site.pk),
        "zone": site.institution.time_zone,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "samples/site.html", context)


@login_required
def sample_collect(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_collect_samples(request.user, study_id=site.study_id, study_site_id=site.pk), ONLY_SITE_STAFF)
    participants = Participant.objects.visible_to(request.user).filter(study_site=site).order_by("number")
    visits = (
        ScheduledVisit.objects.visible_to(request.user)
        .filter(participant__study_site=site)
        .select_related("participant", "definition")
        .order_by("participant__number", "target_on", "id")
    )
    form = CollectForm(
        post_data(request),
        participants=participants,
        visits=visits,
        sample_types=selectors.sample_types_for(request.user, site.study),
    )
    form.fields["collected_at"].label = f"Collected at ({site.institution.time_zone})"
    return form_page(
        request,
        form,
        lambda f: services.collect_sample(study_site=site, by=request.user, **f.values(site.zone)),
        title=gettext("Record a sample · site %(site_number)s of %(code)s")
        % {"site_number": site.site_number, "code": site.study.code},
        cancel_url=site_url(site),
        done=lambda _sample: site_url(site),
        saved=gettext("Sample recorded."),
        study=site.study,
    )


@login_required
def sample_ship(request, study_site_id):
    site = _visible_site(request, study_site_id)
    require(can_ship_samples(request.user, study_id=site.study_id, study_site_id=site.pk), ONLY_SHIPPERS)
    waiting = selectors.samples_for(request.user, site.study, study_site=site, waiting=True)
    form = ShipForm(
        post_data(request),
        laboratories=selectors.laboratories_for(request.user, site.study),
        permits=selectors.permits_for(request.user, site.study),
        initial={"barcodes": "\n".join(waiting.values_list("barcode", flat=True)[:200])},
    )
    form.fields["shipped_at"].label = f"Shipped at ({site.institution.time_zone})"
    return form_page(
        request,
        form,
        lambda f: services.ship_samples(study_site=site, by=request.user, **f.values(site.zone)),
        title=gettext("Ship samples · site %(site_number)s of %(code)s")
        % {"site_number": site.site_number, "code": site.study.code},
        cancel_url=site_url(site),
        done=shipment_url,
        saved=gettext("Shipment recorded."),
        study=site.study,
    )


@login_required
@require_safe
def shipment_detail(request, sample_shipment_id):
    shipment = _visible_shipment(request, sample_shipment_id)
    user = request.user
    allowed, outside = selectors.shipment_excursions(shipment)
    context = {
        "study": shipment.study,
        "shipment": shipment,
        "zone": shipment.study_site.institution.time_zone,
        "hidden": not can_see_subject_level(user, shipment.study_id),
        "items": selectors.items_for(user, shipment),
        "custody": selectors.custody_for(user, shipment),
        "allowed": allowed,
        "excursions": outside,
        "may_ship": can_ship_samples(user, study_id=shipment.study_id, study_site_id=shipment.study_site_id),
        "may_receive": can_manage_samples(user, shipment.study_id) and not shipment.is_received,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "samples/shipment.html", context)


@login_required
def shipment_custody(request, sample_shipment_id):
    shipment = _visible_shipment(request, sample_shipment_id)
    allowed = can_ship_samples(request.user, study_id=shipment.study_id, study_site_id=shipment.study_site_id)
    require(allowed, ONLY_SHIPPERS)
    return form_page(
        request,
        CustodyForm(post_data(request)),
        lambda f: services.add_custody_transfer(shipment=shipment, by=request.user, **f.values()),
        title=gettext("Record a hand-over · %(number)s") % {"number": shipment.number},
        cancel_url=shipment_url(shipment),
        done=lambda _transfer: shipment_url(shipment),
        saved=gettext("Hand-over recorded."),
        study=shipment.study,
    )


@login_required
def shipment_temperature(request, sample_shipment_id):
    shipment = _visible_shipment(request, sample_shipment_id)
    allowed = can_ship_samples(request.user, study_id=shipment.study_id, study_site_id=shipment.study_site_id)
    require(allowed, ONLY_SHIPPERS)
    text = "\n".join(f"{r['at']}, {r['celsius']}" for r in shipment.temperature_log or [])
    form = TemperatureForm(post_data(request), initial={"temperature_log": text})
    return form_page(
        request,
        form,
        lambda f: services.record_temperature_log(
            shipment=shipment,
            by=request.user,
            readings=f.cleaned_data["temperature_log"],
            reason=f.cleaned_data["reason"],
        ),
        title=gettext("Temperature log · %(number)s") % {"number": shipment.number},
        cancel_url=shipment_url(shipment),
        done=shipment_url,
        saved=gettext("Temperature log recorded."),
        study=shipment.study,
    )


@login_required
def shipment_receipt(request, sample_shipment_id):
    shipment = _visible_shipment(request, sample_shipment_id)
    require(can_manage_samples(request.user, shipment.study_id), ONLY_MANAGERS)
    return form_page(
        request,
        ReceiptForm(post_data(request)),
        lambda f: services.record_receipt(shipment=shipment, by=request.user, **f.values()),
        title=gettext("The laboratory's receipt · %(number)s") % {"number": shipment.number},
        cancel_url=shipment_url(shipment),
        done=shipment_url,
        saved=gettext("Receipt recorded; the reconciliation below counts it."),
        study=shipment.study,
    )
