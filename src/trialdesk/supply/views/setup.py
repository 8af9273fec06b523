"""The supply manager's pages that set a study's supplies up and ship them: products, kit types, lots,
depots, kits at a depot, the kits each visit dispenses, and shipments to sites (403 to anyone else)."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm
from trialdesk.studies.pages import tab_url, visible_study
from trialdesk.supply import forms, selectors, services
from trialdesk.supply.permissions import ONLY_SUPPLY_MANAGERS, can_manage_supply
from trialdesk.visits.models import VisitDefinition


def _managed_study(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_supply(request.user, study.pk), ONLY_SUPPLY_MANAGERS)
    return study


def _sites(user, study):
    """The study's sites the person may ship to or set a lane for, by number (the forms' choices)."""
    return StudySite.objects.visible_to(user).filter(study=study).order_by("site_number")


def _page(request, study, form, save, *, title: str, saved: str, done=None):
    back = tab_url(study, "supply")
    return form_page(
        request, form, save, title=f"{title} · {study.code}", cancel_url=back, done=done or (lambda _: back),
        saved=saved, study=study,
    )  # fmt: skip


@login_required
def product_create(request, study_id):
    study = _managed_study(request, study_id)
    form = forms.ProductForm(post_data(request))
    save = lambda f: services.create_product(study=study, by=request.user, **f.cleaned_data)  # noqa: E731
    return _page(request, study, form, save, title=gettext("New product"), saved=gettext("Product added."))


@login_required
def kit_type_create(request, study_id):
    study = _managed_study(request, study_id)
    products = selectors.products_for(request.user, study)
    form = forms.KitTypeForm(post_data(request), products=products, arms=Arm.objects.filter(study=study))
    save = lambda f: services.create_kit_type(study=study, by=request.user, **f.cleaned_data)  # noqa: E731
    return _page(request, study, form, save, title=gettext("New kit type"), saved=gettext("Kit type added."))


@login_required
def lot_create(request, study_id):
    study = _managed_study(request, study_id)
    form = forms.LotForm(post_data(request), products=selectors.products_for(request.user, study))
    save = lambda f: services.create_lot(study=study, by=request.user, **f.cleaned_data)  # noqa: E731
    return _page(request, study, form, save, title=gettext("New lot"), saved=gettext("Lot added."))


@login_required
def depot_create(request, study_id):
    study = _managed_study(request, study_id)
    form = forms.DepotForm(post_data(request))
    save = lambda f: services.create_depot(study=study, by=request.user, **f.cleaned_data)  # noqa: E731
    return _page(request, study, form, save, title=gettext("New depot"), saved=gettext("Depot added."))


@login_required
def kits_create(request, study_id):
    study = _managed_study(request, study_id)
    user = request.user
    form = forms.KitsForm(
        post_data(request), depots=selectors.depots_for(user, study), lots=selectors.lots_for(user, study),
        kit_types=selectors.kit_types_for(user, study),
    )  # fmt: skip

    def save(f):
        values = {**f.cleaned_data, "numbers": forms.numbers(f.cleaned_data["numbers"])}
        return services.register_kits(study=study, by=user, **values)

    return _page(
        request,
        study,
        form,
        save,
        title=gettext("Kits received at a depot"),
        saved=gettext("Kits registered."),
    )


@login_required
def visit_dispensing_set(request, study_id):
    study = _managed_study(request, study_id)
    definitions = VisitDefinition.objects.filter(protocol_version__study=study).select_related(
        "protocol_version"
    )
    form = forms.VisitDispensingForm(post_data(request), definitions=definitions)
    save = lambda f: services.set_visit_dispensing(study=study, by=request.user, **f.cleaned_data)  # noqa: E731
    return _page(
        request,
        study,
        form,
        save,
        title=gettext("Kits a visit dispenses"),
        saved=gettext("Dispensing saved."),
    )


@login_required
def shipment_create(request, study_id):
    study = _managed_study(request, study_id)
    user = request.user
    sites = _sites(user, study)
    form = forms.ShipmentForm(post_data(request), depots=selectors.depots_for(user, study), sites=sites)
    save = lambda f: services.ship_to_site(study=study, by=user, **f.cleaned_data)  # noqa: E731
    done = lambda shipment: reverse("supply_shipment_detail", kwargs={"shipment_id": shipment.pk})  # noqa: E731
    return _page(
        request,
        study,
        form,
        save,
        title=gettext("Ship kits to a site"),
        saved=gettext("Shipment sent."),
        done=done,
    )


@login_required
def resupply_plan_set(request, study_id):
    study = _managed_study(request, study_id)
    current = selectors.resupply_plan_for(study)
    initial = {"lead_time_days": current.lead_time_days, "review_period_days": current.review_period_days}
    form = forms.ResupplyPlanForm(post_data(request), initial=initial)
    save = lambda f: services.set_resupply_plan(study=study, by=request.user, **f.cleaned_data)  # noqa: E731
    return _page(
        request,
        study,
        form,
        save,
        title=gettext("Resupply plan"),
        saved=gettext("Resupply plan saved."),
    )


@login_required
def shipping_lane_set(request, study_id):
    study = _managed_study(request, study_id)
    user = request.user
    sites = _sites(user, study)
    form = forms.ShippingLaneForm(post_data(request), depots=selectors.depots_for(user, study), sites=sites)
    save = lambda f: services.set_shipping_lane(study=study, by=user, **f.cleaned_data)  # noqa: E731
    return _page(
        request,
        study,
        form,
        save,
        title=gettext("Shipping lane lead time"),
        saved=gettext("Lead time saved."),
    )
