"""Vendor and CRO contracts: entering one, its page (milestones, change orders, indicators, invoices, spend
against the contract and against milestones delivered) and the forms that add to it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from trialdesk.core.forms import submit
from trialdesk.core.permissions import require
from trialdesk.core.views import post_data
from trialdesk.finance import selectors
from trialdesk.finance.forms import (
    ChangeOrderForm,
    ContractForm,
    DecisionForm,
    IndicatorForm,
    MilestoneForm,
    VendorInvoiceForm,
)
from trialdesk.finance.models import ContractMilestone, VendorContract, VendorInvoice
from trialdesk.finance.permissions import ONLY_MANAGERS, can_manage_finance
from trialdesk.finance.services import vendors
from trialdesk.finance.views.scope import decided_message, finance_study, post_only, visible
from trialdesk.studies.pages import tab_url


@login_required
def contract_create(request, study_id):
    study = finance_study(request, study_id)
    require(can_manage_finance(request.user, study.pk), gettext(ONLY_MANAGERS))
    form = ContractForm(post_data(request))
    saved = submit(form, lambda f: vendors.create_contract(study=study, by=request.user, **f.cleaned_data))
    if saved is not None:
        messages.success(request, _("Contract saved."))
        return redirect("finance_vendor_contract", vendor_contract_id=saved.pk)
    return TemplateResponse(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("New vendor contract of %(code)s") % {"code": study.code},
            "cancel_url": tab_url(study, "finance"),
            "study": study,
        },
    )


FORMS = {
    "milestone": (MilestoneForm, lambda c, by, d: vendors.add_milestone(contract=c, by=by, **d)),
    "change_order": (ChangeOrderForm, lambda c, by, d: vendors.add_change_order(contract=c, by=by, **d)),
    "indicator": (IndicatorForm, lambda c, by, d: vendors.add_indicator(contract=c, by=by, **d)),
    "invoice": (VendorInvoiceForm, lambda c, by, d: vendors.submit_vendor_invoice(contract=c, by=by, **d)),
}


def _forms(contract, data=None, which=None):
    found = {}
    for key, (form_class, _act) in FORMS.items():
        kwargs = {"milestones": contract.milestones.all()} if key == "invoice" else {}
        found[key] = form_class(data if key == which else None, prefix=key, **kwargs)
    return found


@login_required
def contract_detail(request, vendor_contract_id):
    contract = visible(request, VendorContract, vendor_contract_id, "study")
    manage = can_manage_finance(request.user, contract.study_id)
    which = request.POST.get("form") if request.method == "POST" else None
    forms = _forms(contract, request.POST if which else None, which)
    if request.method == "POST":
        require(manage, gettext(ONLY_MANAGERS))
        if which in FORMS:
            act = FORMS[which][1]
            if submit(forms[which], lambda f: act(contract, request.user, f.cleaned_data)) is not None:
                messages.success(request, _("Saved."))
                return redirect("finance_vendor_contract", vendor_contract_id=contract.pk)
    totals = next(
        (v for v in selectors.vendor_totals(contract.study, None) if v.contract.pk == contract.pk), None
    )
    return TemplateResponse(
        request,
        "finance/contract.html",
        {
            "contract": contract,
            "study": contract.study,
            "totals": totals,
            "milestones": contract.milestones.all(),
            "change_orders": contract.change_orders.all(),
            "indicators": contract.indicators.all(),
            "invoices": contract.invoices.select_related("milestone"),
            "forms": forms if manage else {},
            "decision_form": DecisionForm() if manage else None,
            "nav": "portfolio",
        },
    )


@login_required
def milestone_deliver(request, vendor_contract_id, contract_milestone_id):
    contract = visible(request, VendorContract, vendor_contract_id, "study")
    milestone = visible(request, ContractMilestone, contract_milestone_id)
    require(can_manage_finance(request.user, contract.study_id), gettext(ONLY_MANAGERS))
    target = reverse("finance_vendor_contract", kwargs={"vendor_contract_id": contract.pk})
    if (back := post_only(request, target)) is not None or milestone.contract_id != contract.pk:
        return back or redirect(target)
    from django.utils import timezone

    vendors.deliver_milestone(milestone=milestone, by=request.user, delivered_on=timezone.localdate())
    messages.success(request, _("%(milestone)s delivered.") % {"milestone": milestone.name})
    return redirect(target)


@login_required
def vendor_invoice_decide(request, vendor_invoice_id):
    invoice = visible(request, VendorInvoice, vendor_invoice_id, "contract__study")
    require(can_manage_finance(request.user, invoice.contract.study_id), gettext(ONLY_MANAGERS))
    target = reverse("finance_vendor_contract", kwargs={"vendor_contract_id": invoice.contract_id})
    if (back := post_only(request, target)) is not None:
        return back
    form = DecisionForm(request.POST)
    saved = submit(
        form,
        lambda f: vendors.decide_vendor_invoice(
            invoice=invoice,
            by=request.user,
            decision=f.cleaned_data["decision"],
            reason=f.cleaned_data["reason"],
        ),
    )
    if saved is not None:
        messages.success(request, decided_message(invoice.number, saved.status))
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect(target)
