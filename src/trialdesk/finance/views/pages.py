"""Finance pages of a study: payables (filter, sort, page, export, select for a run), generation, budget
versions, fee schedules, site invoices, procedure records and exchange rates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trialdesk.core.forms import add_service_errors, submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.roles import SITE_STAFF_ROLES
from trialdesk.core.scoping import role_facts
from trialdesk.core.views import post_data
from trialdesk.finance import estimates, exports, selectors
from trialdesk.finance.forms import (
    BudgetVersionForm,
    DecisionForm,
    ExchangeRateForm,
    FeeScheduleForm,
    PayableFilterForm,
    ProcedureForm,
    RateImportForm,
    SiteInvoiceForm,
)
from trialdesk.finance.models import ExchangeRate, FeeSchedule, SiteInvoice
from trialdesk.finance.permissions import (
    ONLY_MANAGERS,
    ONLY_SITE,
    can_manage_finance,
    can_manage_rates,
    can_read_finance,
    can_submit_for_site,
)
from trialdesk.finance.services import budgets, duties, invoices, payables
from trialdesk.finance.views.scope import (
    NO_FINANCE_ROLE,
    XLSX,
    attachment,
    decided_message,
    finance_study,
    post_only,
    visible,
)
from trialdesk.interop import tabular
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion
from trialdesk.studies.pages import tab_url, visible_study
from trialdesk.subjects.models import Participant


def _page(request, template, **context):
    return TemplateResponse(request, template, {"nav": "portfolio", **context})


@login_required
@require_safe
def payables_list(request, study_id):
    study = finance_study(request, study_id)
    sites = StudySite.objects.filter(study=study)
    filters = PayableFilterForm(request.GET or None, sites=sites)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    sort = request.GET.get("sort", "earned_on")
    lines = selectors.lines_for(
        request.user,
        study,
        study_site=chosen.get("site"),
        kind=chosen.get("kind", ""),
        state=chosen.get("state", ""),
        sort=sort if sort in selectors.LINE_SORTS else "earned_on",
        today=timezone.localdate(),
    )
    export = request.GET.get("format")
    if export == "xlsx":
        return attachment(
            exports.payables_workbook(lines, title=f"{study.code} payables"),
            f"{study.code}-payables.xlsx",
            XLSX,
        )
    if export == "csv":
        return attachment(
            exports.payables_csv(lines), f"{study.code}-payables.csv", "text/csv; charset=utf-8"
        )
    return _page(
        request,
        "finance/payables.html",
        study=study,
        filters=filters,
        sort=sort,
        page=paginate(lines, request),
        chosen_site=chosen.get("site"),
        may_manage=can_manage_finance(request.user, study.pk),
    )


@login_required
def generate(request, study_id):
    study = finance_study(request, study_id)
    require(can_manage_finance(request.user, study.pk), gettext(ONLY_MANAGERS))
    if (back := post_only(request, tab_url(study, "finance"))) is not None:
        return back
    try:
        report = payables.generate_payables(
            study=study, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, report.summary() + ".")
    return redirect(tab_url(study, "finance"))


@login_required
def budget_create(request, study_id):
    study = finance_study(request, study_id)
    require(can_manage_finance(request.user, study.pk), gettext(ONLY_MANAGERS))
    current = selectors.current_budget(study)
    form = BudgetVersionForm(
        post_data(request), protocol_versions=ProtocolVersion.objects.filter(study=study), current=current
    )
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("protocol_version",) if form.cleaned_data.get(k)}
        if form.cleaned_data.get("effective_on"):
            values["effective_on"] = form.cleaned_data["effective_on"]
        try:
            budgets.save_budget_version(
                study=study,
                by=request.user,
                amounts=form.amounts(),
                currency=(form.cleaned_data["currency"] or "").upper(),
                reason=form.cleaned_data["reason"],
                **values,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Budget version saved."))
            return redirect(tab_url(study, "finance"))
    title = (_("New budget version of %(code)s") if current else _("Study budget of %(code)s")) % {
        "code": study.code
    }
    return _page(
        request, "form_page.html", form=form, title=title, cancel_url=tab_url(study, "finance"), study=study
    )


@login_required
@require_safe
def budget_export(request, study_id):
    study = finance_study(request, study_id, totals=True)
    figures = estimates.study_finance(study, timezone.localdate(), with_sites=False)
    if figures is None:
        messages.info(request, _("This study has no budget yet."))
        return redirect(tab_url(study, "finance"))
    return attachment(
        exports.budget_workbook(figures, title=f"{study.code} budget"), f"{study.code}-budget.xlsx", XLSX
    )


@login_required
def fee_schedule_create(request, study_site_id):
    site = visible(request, StudySite, study_site_id, "study")
    require(can_manage_finance(request.user, site.study_id), gettext(ONLY_MANAGERS))
    form = FeeScheduleForm(post_data(request))
    saved = submit(
        form, lambda f: budgets.create_fee_schedule(study_site=site, by=request.user, **f.changed_values())
    )
    if saved is not None:
        messages.success(request, _("Fee schedule saved."))
        return redirect("study_site_detail", study_site_id=site.pk)
    return _page(
        request,
        "form_page.html",
        form=form,
        title=_("Fee schedule of site %(number)s") % {"number": site.site_number},
        cancel_url=reverse("study_site_detail", kwargs={"study_site_id": site.pk}),
        study=site.study,
    )


@login_required
def fee_schedule_edit(request, fee_schedule_id):
    schedule = visible(request, FeeSchedule, fee_schedule_id, "study_site", "study")
    require(can_manage_finance(request.user, schedule.study_id), gettext(ONLY_MANAGERS))
    form = FeeScheduleForm(post_data(request), instance=schedule)
    saved = submit(
        form,
        lambda f: budgets.update_fee_schedule(
            schedule=schedule,
            by=request.user,
            changes=f.changed_values(),
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data.get("version"),
        ),
    )
    if saved is not None:
        messages.success(
            request, _("Fee schedule corrected; generate payables to re-price the work it covers.")
        )
        return redirect("study_site_detail", study_site_id=schedule.study_site_id)
    return _page(
        request,
        "form_page.html",
        form=form,
        title=_("Correct the fee schedule of site %(number)s") % {"number": schedule.study_site.site_number},
        cancel_url=reverse("study_site_detail", kwargs={"study_site_id": schedule.study_site_id}),
        study=schedule.study,
    )


@login_required
def site_invoices(request, study_id):
    """The study's site invoices (the reader's sites only for site staff) and the form to enter one."""
    study = visible_study_for_invoices(request, study_id)
    sites = [
        s for s in StudySite.objects.filter(study=study) if can_submit_for_site(request.user, study.pk, s.pk)
    ]
    form = SiteInvoiceForm(post_data(request), sites=StudySite.objects.filter(pk__in=[s.pk for s in sites]))
    if request.method == "POST":
        require(bool(sites), gettext(ONLY_SITE))
        saved = submit(
            form,
            lambda f: invoices.submit_site_invoice(
                study_site=f.cleaned_data["study_site"],
                by=request.user,
                **{
                    k: f.cleaned_data[k]
                    for k in ("number", "item_code", "invoice_on", "amount", "description")
                },
            ),
        )
        if saved is not None:
            messages.success(request, _("Invoice %(number)s entered.") % {"number": saved.number})
            return redirect("finance_site_invoices", study_id=study.pk)
    rows = SiteInvoice.objects.visible_to(request.user).filter(study=study).select_related("study_site")
    return _page(
        request,
        "finance/site_invoices.html",
        study=study,
        form=form if sites else None,
        page=paginate(rows.order_by("-invoice_on", "-id"), request),
    )


def visible_study_for_invoices(request, study_id):
    """Invoices are read by the study's finance readers and by site staff (their own sites')."""
    study = visible_study(request, study_id)
    staff = role_facts(request.user).holds_site_role_in_study(study.pk, SITE_STAFF_ROLES)
    if not (can_read_finance(request.user, study.pk) or staff):
        raise PermissionDenied(NO_FINANCE_ROLE)
    return study


@login_required
def site_invoice(request, site_invoice_id):
    invoice = visible(request, SiteInvoice, site_invoice_id, "study", "study_site")
    manage = can_manage_finance(request.user, invoice.study_id)
    own = manage and invoice.status == "submitted" and duties.is_own(invoice, request.user)
    form = None
    if manage and invoice.status == "submitted" and not own:
        form = DecisionForm(post_data(request))
    if request.method == "POST":
        require(manage, gettext(ONLY_MANAGERS))
        saved = form and submit(
            form,
            lambda f: invoices.decide_site_invoice(
                invoice=invoice,
                by=request.user,
                decision=f.cleaned_data["decision"],
                reason=f.cleaned_data["reason"],
            ),
        )
        if saved:
            messages.success(request, decided_message(invoice.number, saved.status))
            return redirect("finance_site_invoice", site_invoice_id=invoice.pk)
    return _page(
        request,
        "finance/site_invoice.html",
        invoice=invoice,
        study=invoice.study,
        form=form,
        own_invoice=duties.OWN_INVOICE if own else "",
    )


@login_required
def procedure_create(request, study_site_id):
    site = visible(request, StudySite, study_site_id, "study")
    require(can_submit_for_site(request.user, site.study_id, site.pk), gettext(ONLY_SITE))
    participants = Participant.objects.visible_to(request.user).filter(study_site=site)
    form = ProcedureForm(post_data(request), participants=participants)
    saved = submit(
        form,
        lambda f: budgets.record_procedure(
            participant=f.cleaned_data["participant"],
            by=request.user,
            code=f.cleaned_data["code"],
            done_on=f.cleaned_data["done_on"],
            note=f.cleaned_data["note"],
        ),
    )
    if saved is not None:
        messages.success(request, _("Procedure recorded; it is paid once payables are generated."))
        return redirect("study_site_detail", study_site_id=site.pk)
    return _page(
        request,
        "form_page.html",
        form=form,
        title=_("Record a procedure at site %(number)s") % {"number": site.site_number},
        cancel_url=reverse("study_site_detail", kwargs={"study_site_id": site.pk}),
        study=site.study,
    )


@login_required
def exchange_rates(request):
    """Reference rates: the list (filter by currency), one entered by hand, or a file imported all or
    nothing with a message per bad row."""
    may_manage = can_manage_rates(request.user)
    entry = ExchangeRateForm(request.POST if request.method == "POST" and "rate" in request.POST else None)
    upload = RateImportForm(
        request.POST if request.method == "POST" and "file" in request.FILES else None,
        request.FILES if request.method == "POST" else None,
    )
    problems = []
    if request.method == "POST":
        require(may_manage, gettext("Only administrators and finance staff enter exchange rates."))
        if "file" in request.FILES and upload.is_valid():
            problems = _import(request, upload)
            if not problems:
                return redirect("finance_exchange_rates")
        elif entry.is_bound:
            saved = submit(
                entry,
                lambda f: budgets.create_exchange_rate(
                    by=request.user,
                    **{k: f.cleaned_data[k] for k in ("base", "quote", "on", "rate", "source")},
                ),
            )
            if saved is not None:
                messages.success(request, _("Rate saved: %(rate)s.") % {"rate": saved})
                return redirect("finance_exchange_rates")
    rates = ExchangeRate.objects.visible_to(request.user)
    currency = (request.GET.get("currency") or "").upper()
    if currency:
        rates = rates.filter(base=currency) | rates.filter(quote=currency)
    return _page(
        request,
        "finance/exchange_rates.html",
        page=paginate(rates.order_by("-on", "base", "quote"), request),
        entry=entry if may_manage else None,
        upload=upload if may_manage else None,
        problems=problems,
        currency=currency,
        nav="finance_rates",
    )


def _import(request, upload) -> list[str]:
    handle = upload.cleaned_data["file"]
    try:
        table = tabular.read_table(handle.read(), handle.name)
        added, known = budgets.import_rates(
            by=request.user, table=table, default_base=upload.cleaned_data["base"].upper()
        )
    except tabular.TableError as error:
        return [str(error)]
    except ValidationError as error:
        return error.messages
    messages.success(
        request,
        _("%(added)s rates imported, %(known)s already there. Nothing else changed.")
        % {"added": added, "known": known},
    )
    return []
