"""Payment runs: created from the payables page's selection, approved with a signature, marked paid,
cancelled; their remittance advice as PDF and Excel; the study's runs as a list and an Excel export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trialdesk.core.forms import ReasonForm, submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import post_data
from trialdesk.finance import exports, selectors
from trialdesk.finance.forms import ApprovalForm, PaidForm
from trialdesk.finance.models import PaymentRun, RunStatus
from trialdesk.finance.permissions import ONLY_MANAGERS, can_manage_finance
from trialdesk.finance.services import duties, payments
from trialdesk.finance.views.scope import XLSX, attachment, finance_study, post_only, visible
from trialdesk.sites.models import StudySite


@login_required
def runs_list(request, study_id):
    study = finance_study(request, study_id)
    runs = selectors.runs_for(request.user, study).select_related("approved_by")
    if request.GET.get("format") == "xlsx":
        return attachment(
            exports.runs_workbook(runs, title=f"{study.code} payment runs"),
            f"{study.code}-payment-runs.xlsx",
            XLSX,
        )
    if request.method == "POST":
        return _create(request, study)
    return TemplateResponse(
        request, "finance/runs.html", {"study": study, "page": paginate(runs, request), "nav": "portfolio"}
    )


def _create(request, study):
    require(can_manage_finance(request.user, study.pk), gettext(ONLY_MANAGERS))
    site = StudySite.objects.filter(study=study, pk=request.POST.get("study_site") or 0).first()
    back = reverse("finance_payables", kwargs={"study_id": study.pk})
    if site is None:
        messages.error(request, _("Choose one site's lines: a payment run pays one site."))
        return redirect(back)
    try:
        run = payments.create_payment_run(
            study_site=site,
            line_ids=request.POST.getlist("lines"),
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except (ValidationError, ValueError) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
        return redirect(f"{back}?site={site.pk}&state=unpaid")
    messages.success(request, _("%(number)s drafted: approve it to pay.") % {"number": run.number})
    return redirect("finance_payment_run", payment_run_id=run.pk)


@login_required
@require_safe
def run_detail(request, payment_run_id):
    run = visible(request, PaymentRun, payment_run_id, "study", "study_site__institution", "approved_by")
    manage = can_manage_finance(request.user, run.study_id)
    own_draft = manage and run.status == RunStatus.DRAFT and duties.is_own(run, request.user)
    return TemplateResponse(
        request,
        "finance/run.html",
        {
            "run": run,
            "study": run.study,
            "lines": run.lines.order_by("earned_on", "id"),
            "approval_form": ApprovalForm()
            if manage and run.status == RunStatus.DRAFT and not own_draft
            else None,
            "own_draft": duties.OWN_RUN if own_draft else "",
            "paid_form": PaidForm() if manage and run.status == RunStatus.APPROVED else None,
            "cancel_form": ReasonForm()
            if manage and run.status in (RunStatus.DRAFT, RunStatus.APPROVED)
            else None,
            "nav": "portfolio",
        },
    )


def _action(request, payment_run_id, form_class, act, done: str):
    run = visible(request, PaymentRun, payment_run_id, "study", "study_site__institution")
    require(can_manage_finance(request.user, run.study_id), gettext(ONLY_MANAGERS))
    target = reverse("finance_payment_run", kwargs={"payment_run_id": run.pk})
    if (back := post_only(request, target)) is not None:
        return back
    form = form_class(post_data(request))
    if submit(form, lambda f: act(run, f)) is not None:
        messages.success(request, done)
        return redirect(target)
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}" if field != "__all__" else error)
    return redirect(target)


@login_required
def run_approve(request, payment_run_id):
    return _action(
        request,
        payment_run_id,
        ApprovalForm,
        lambda run, f: payments.approve_payment_run(
            run=run, by=request.user, password=f.cleaned_data["password"]
        ),
        _("Payment run approved and signed."),
    )


@login_required
def run_pay(request, payment_run_id):
    return _action(
        request,
        payment_run_id,
        PaidForm,
        lambda run, f: payments.mark_run_paid(run=run, by=request.user, **f.cleaned_data),
        _("Payment run marked paid."),
    )


@login_required
def run_cancel(request, payment_run_id):
    return _action(
        request,
        payment_run_id,
        ReasonForm,
        lambda run, f: payments.cancel_payment_run(run=run, by=request.user, reason=f.cleaned_data["reason"]),
        _("Payment run cancelled: its lines may be paid in another run."),
    )


@login_required
@require_safe
def remittance(request, payment_run_id, fmt):
    run = visible(request, PaymentRun, payment_run_id, "study", "study_site__institution", "approved_by")
    lines = list(run.lines.order_by("earned_on", "id").select_related("study_site", "payment_run"))
    name = f"{run.study.code}-{run.number}-remittance"
    if fmt == "xlsx":
        return attachment(exports.remittance_workbook(run, lines), f"{name}.xlsx", XLSX)
    return attachment(exports.remittance_pdf(run, lines), f"{name}.pdf", "application/pdf")
