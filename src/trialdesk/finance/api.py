"""The finance part of the JSON API (issue 15): budget figures, budget versions, fee schedules, payables and
their generation, payment runs, site invoices, vendor contracts, exchange rates and procedure records.
Reads start from what the caller may see (404 outside it); writes ask the permission question first."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.finance import estimates, selectors
from trialdesk.finance.models import (
    ExchangeRate,
    FeeSchedule,
    PaymentRun,
    ProcedureRecord,
    SiteInvoice,
    VendorContract,
    VendorInvoice,
)
from trialdesk.finance.permissions import (
    ONLY_MANAGERS,
    ONLY_SITE,
    can_manage_finance,
    can_read_totals,
    can_submit_for_site,
)
from trialdesk.finance.rules import money
from trialdesk.finance.schemas import (
    ApproveIn,
    BudgetVersionIn,
    BudgetVersionOut,
    CancelIn,
    ChangeOrderIn,
    ContractIn,
    ContractOut,
    CreatedOut,
    FeeScheduleIn,
    FeeScheduleOut,
    FeeSchedulePatch,
    FinanceOut,
    GenerateIn,
    GenerateOut,
    IndicatorIn,
    InvoiceDecisionIn,
    PaidIn,
    PayableFilters,
    PayableOut,
    PaymentRunIn,
    PaymentRunOut,
    ProcedureIn,
    ProcedureOut,
    RateFilters,
    RateIn,
    RateOut,
    SiteInvoiceIn,
    SiteInvoiceOut,
    VendorInvoiceIn,
    VendorMilestoneIn,
)
from trialdesk.finance.services import budgets, invoices, payables, payments, vendors
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study
from trialdesk.subjects.models import Participant

router = Router(tags=["finance"])


def _study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)


def _site(request, study_site_id: int) -> StudySite:
    return visible_or_404(request, StudySite, study_site_id, "study", "institution")


def _text(amount, currency) -> str | None:
    return None if amount is None else money.as_text(amount, currency)


# Figures ---------------------------------------------------------------------------------------------


@router.get("/finance-figures/{study_id}", response=with_errors({200: FinanceOut}, READ_ERRORS))
def study_finance(request, study_id: int):
    """Budget, spent, committed, estimate at completion (10/50/90 %) and variance, in the study currency.
    Readers without a finance role on the study get `hidden: true` and no figure."""
    study = _study(request, study_id)
    if not can_read_totals(actor(request), study.pk):
        return {"hidden": True}
    figures = estimates.study_finance(study, timezone.localdate(), with_sites=False)
    if figures is None:
        return {"hidden": False}
    return {"hidden": False, **figures.as_json(), "participants_basis": figures.participants_basis}


# Budget versions -------------------------------------------------------------------------------------


def _budget_out(version) -> dict:
    return {
        "id": version.pk,
        "number": version.number,
        "currency": version.currency,
        "amounts": version.amounts,
        "total": money.as_text(version.total, version.currency),
        "protocol_version_id": version.protocol_version_id,
        "effective_on": version.effective_on,
        "version": version.version,
    }


@router.get(
    "/studies/{study_id}/budget-versions",
    response=with_errors({200: page_schema(BudgetVersionOut)}, READ_ERRORS),
)
def list_budget_versions(request, study_id: int, page: Query[PageQuery]):
    """The study budget's versions, newest first (the first is in force)."""
    result = paginate(selectors.budget_versions_for(actor(request), _study(request, study_id)), page)
    return {**result, "items": [_budget_out(v) for v in result["items"]]}


@router.post(
    "/studies/{study_id}/budget-versions", response=with_errors({201: BudgetVersionOut}, WRITE_ERRORS)
)
def create_budget_version(request, study_id: int, payload: BudgetVersionIn):
    study = _study(request, study_id)
    require(can_manage_finance(actor(request), study.pk), ONLY_MANAGERS)
    values = {"note": payload.note}
    if payload.effective_on:
        values["effective_on"] = payload.effective_on
    if payload.protocol_version_id is not None:
        values["protocol_version"] = referenced(
            ProtocolVersion.objects.filter(study=study),
            payload.protocol_version_id,
            field="protocol_version_id",
        )
    version = budgets.save_budget_version(
        study=study,
        by=actor(request),
        amounts=payload.amounts,
        currency=(payload.currency or "").upper() or None,
        reason=payload.reason,
        **values,
    )
    return 201, _budget_out(version)


# Fee schedules ---------------------------------------------------------------------------------------


def _schedule_out(s: FeeSchedule) -> dict:
    return {
        "id": s.pk,
        "study_site_id": s.study_site_id,
        "effective_on": s.effective_on,
        "currency": s.currency,
        "overhead_percent": f"{s.overhead_percent.normalize():f}",
        "holdback_percent": f"{s.holdback_percent.normalize():f}",
        "payment_terms_days": s.payment_terms_days,
        "startup_fee": _text(s.startup_fee, s.currency),
        "closeout_fee": _text(s.closeout_fee, s.currency),
        "screen_failure_fee": _text(s.screen_failure_fee, s.currency),
        "screen_failure_max_paid": s.screen_failure_max_paid,
        "visit_fees": s.visit_fees,
        "procedure_fees": s.procedure_fees,
        "invoiceable": s.invoiceable,
        "version": s.version,
    }


@router.get(
    "/studies/{study_id}/fee-schedules", response=with_errors({200: page_schema(FeeScheduleOut)}, READ_ERRORS)
)
def list_fee_schedules(request, study_id: int, page: Query[PageQuery]):
    """Each site's fee schedules (its clinical trial agreement's payment terms), the caller's sites only for
    site staff."""
    result = paginate(selectors.schedules_for(actor(request), _study(request, study_id)), page)
    return {**result, "items": [_schedule_out(s) for s in result["items"]]}


@router.post(
    "/study-sites/{study_site_id}/fee-schedules", response=with_errors({201: FeeScheduleOut}, WRITE_ERRORS)
)
def create_fee_schedule(request, study_site_id: int, payload: FeeScheduleIn):
    site = _site(request, study_site_id)
    require(can_manage_finance(actor(request), site.study_id), ONLY_MANAGERS)
    values = payload.model_dump()
    values["currency"] = values["currency"].upper()
    return 201, _schedule_out(budgets.create_fee_schedule(study_site=site, by=actor(request), **values))


@router.get("/fee-schedules/{fee_schedule_id}", response=with_errors({200: FeeScheduleOut}, READ_ERRORS))
def get_fee_schedule(request, response: HttpResponse, fee_schedule_id: int):
    schedule = visible_or_404(request, FeeSchedule, fee_schedule_id)
    set_etag(response, schedule)
    return _schedule_out(schedule)


@router.patch("/fee-schedules/{fee_schedule_id}", response=with_errors({200: FeeScheduleOut}, WRITE_ERRORS))
def update_fee_schedule(request, fee_schedule_id: int, payload: FeeSchedulePatch, if_match: IfMatch = None):
    """Correct a schedule in place (the next generation re-prices the work it covers with reversal lines)."""
    schedule = visible_or_404(request, FeeSchedule, fee_schedule_id)
    require(can_manage_finance(actor(request), schedule.study_id), ONLY_MANAGERS)
    changes = payload.model_dump(exclude_unset=True, exclude={"reason", "version"})
    schedule = budgets.update_fee_schedule(
        schedule=schedule,
        by=actor(request),
        changes=changes,
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    return _schedule_out(schedule)


# Payables --------------------------------------------------------------------------------------------


def _line_out(line) -> dict:
    c, sc = line.currency, line.study_currency
    return {
        "id": line.pk,
        "study_site_id": line.study_site_id,
        "source": line.source,
        "kind": line.kind,
        "code": line.code,
        "participant": line.participant,
        "earned_on": line.earned_on,
        "due_on": line.due_on,
        "currency": c,
        "fee": _text(line.fee, c),
        "overhead": _text(line.overhead, c),
        "holdback": _text(line.holdback, c),
        "payable": _text(line.payable, c),
        "study_currency": sc,
        "rate": None if line.rate is None else f"{line.rate.normalize():f}",
        "rate_on": line.rate_on,
        "study_payable": _text(line.study_payable, sc),
        "reverses_id": line.reverses_id,
        "payment_run_id": line.payment_run_id,
    }


@router.get("/studies/{study_id}/payables", response=with_errors({200: page_schema(PayableOut)}, READ_ERRORS))
def list_payables(request, study_id: int, filters: Query[PayableFilters]):
    """Payable lines the caller may read (finance readers: all; site staff: their sites'; others: none)."""
    study = _study(request, study_id)
    site = None
    if filters.study_site_id is not None:
        site = get_object_or_404(StudySite.objects.filter(study=study), pk=filters.study_site_id)
    lines = selectors.lines_for(
        actor(request),
        study,
        study_site=site,
        kind=filters.kind or "",
        state=filters.state or "",
        today=timezone.localdate(),
    )
    result = paginate(lines, filters)
    return {**result, "items": [_line_out(line) for line in result["items"]]}


@router.post("/studies/{study_id}/payables/generate", response=with_errors({200: GenerateOut}, WRITE_ERRORS))
def generate_payables(request, study_id: int, payload: GenerateIn):
    """Generate the study's payables from the work done, idempotently: only what changed is added."""
    study = _study(request, study_id)
    require(can_manage_finance(actor(request), study.pk), ONLY_MANAGERS)
    report = payables.generate_payables(study=study, by=actor(request), reason=payload.reason)
    return {
        "generation": report.generation,
        "lines_added": report.lines_added,
        "reversals": report.reversals,
        "unmatched": [
            {"site": site, "kind": w.kind, "code": w.code, "on": w.on.isoformat()}
            for site, w in report.unmatched
        ],
        "sites_without_schedule": report.sites_without_schedule,
    }


# Payment runs ----------------------------------------------------------------------------------------


def _run_out(run: PaymentRun) -> dict:
    return {
        "id": run.pk,
        "number": run.number,
        "study_site_id": run.study_site_id,
        "status": run.status,
        "currency": run.currency,
        "total": _text(run.total, run.currency),
        "line_count": run.line_count,
        "approved_by": run.approved_by.username if run.approved_by_id else None,
        "approved_at": run.approved_at,
        "paid_on": run.paid_on,
        "payment_reference": run.payment_reference,
        "version": run.version,
    }


@router.get(
    "/studies/{study_id}/payment-runs", response=with_errors({200: page_schema(PaymentRunOut)}, READ_ERRORS)
)
def list_payment_runs(request, study_id: int, page: Query[PageQuery]):
    result = paginate(
        selectors.runs_for(actor(request), _study(request, study_id)).select_related("approved_by"), page
    )
    return {**result, "items": [_run_out(r) for r in result["items"]]}


@router.post(
    "/study-sites/{study_site_id}/payment-runs", response=with_errors({201: PaymentRunOut}, WRITE_ERRORS)
)
def create_payment_run(request, study_site_id: int, payload: PaymentRunIn):
    """A draft run paying the given unpaid lines of the site (422 naming `lines` otherwise)."""
    site = _site(request, study_site_id)
    require(can_manage_finance(actor(request), site.study_id), ONLY_MANAGERS)
    run = payments.create_payment_run(
        study_site=site, line_ids=payload.lines, by=actor(request), note=payload.note
    )
    return 201, _run_out(run)


def _run(request, payment_run_id: int) -> PaymentRun:
    return visible_or_404(request, PaymentRun, payment_run_id, "study_site__institution", "approved_by")


@router.get("/payment-runs/{payment_run_id}", response=with_errors({200: PaymentRunOut}, READ_ERRORS))
def get_payment_run(request, response: HttpResponse, payment_run_id: int):
    run = _run(request, payment_run_id)
    set_etag(response, run)
    return _run_out(run)


@router.get(
    "/payment-runs/{payment_run_id}/lines", response=with_errors({200: page_schema(PayableOut)}, READ_ERRORS)
)
def list_run_lines(request, payment_run_id: int, page: Query[PageQuery]):
    """The lines the run pays: its remittance advice as data."""
    run = _run(request, payment_run_id)
    result = paginate(run.lines.order_by("earned_on", "id"), page)
    return {**result, "items": [_line_out(line) for line in result["items"]]}


def _run_write(request, payment_run_id: int) -> PaymentRun:
    run = _run(request, payment_run_id)
    require(can_manage_finance(actor(request), run.study_id), ONLY_MANAGERS)
    return run


@router.post(
    "/payment-runs/{payment_run_id}/approve", response=with_errors({200: PaymentRunOut}, WRITE_ERRORS)
)
def approve_payment_run(request, payment_run_id: int, payload: ApproveIn, if_match: IfMatch = None):
    """Approve a draft run with an electronic signature (the approver's password, 422 on `password`)."""
    run = _run_write(request, payment_run_id)
    version = (
        payload.version
        if payload.version is not None
        else (expected_version(None, if_match) if if_match else None)
    )
    return _run_out(
        payments.approve_payment_run(
            run=run, by=actor(request), password=payload.password, expected_version=version
        )
    )


@router.post("/payment-runs/{payment_run_id}/pay", response=with_errors({200: PaymentRunOut}, WRITE_ERRORS))
def pay_payment_run(request, payment_run_id: int, payload: PaidIn, if_match: IfMatch = None):
    run = _run_write(request, payment_run_id)
    version = (
        payload.version
        if payload.version is not None
        else (expected_version(None, if_match) if if_match else None)
    )
    return _run_out(
        payments.mark_run_paid(
            run=run,
            by=actor(request),
            paid_on=payload.paid_on,
            payment_reference=payload.payment_reference,
            expected_version=version,
        )
    )


@router.post(
    "/payment-runs/{payment_run_id}/cancel", response=with_errors({200: PaymentRunOut}, WRITE_ERRORS)
)
def cancel_payment_run(request, payment_run_id: int, payload: CancelIn, if_match: IfMatch = None):
    run = _run_write(request, payment_run_id)
    version = (
        payload.version
        if payload.version is not None
        else (expected_version(None, if_match) if if_match else None)
    )
    return _run_out(
        payments.cancel_payment_run(
            run=run, by=actor(request), reason=payload.reason, expected_version=version
        )
    )


# Site invoices ---------------------------------------------------------------------------------------


def _invoice_out(i: SiteInvoice) -> dict:
    return {
        "id": i.pk,
        "study_site_id": i.study_site_id,
        "number": i.number,
        "item_code": i.item_code,
        "description": i.description,
        "invoice_on": i.invoice_on,
        "amount": _text(i.amount, i.currency),
        "currency": i.currency,
        "scheduled_amount": _text(i.scheduled_amount, i.currency),
        "status": i.status,
        "decision_reason": i.decision_reason,
        "version": i.version,
    }


@router.get(
    "/studies/{study_id}/site-invoices", response=with_errors({200: page_schema(SiteInvoiceOut)}, READ_ERRORS)
)
def list_site_invoices(request, study_id: int, page: Query[PageQuery]):
    result = paginate(selectors.site_invoices_for(actor(request), _study(request, study_id)), page)
    return {**result, "items": [_invoice_out(i) for i in result["items"]]}


@router.post(
    "/study-sites/{study_site_id}/site-invoices", response=with_errors({201: SiteInvoiceOut}, WRITE_ERRORS)
)
def submit_site_invoice(request, study_site_id: int, payload: SiteInvoiceIn):
    """Enter a site invoice; an item not in the site's fee schedule is a 422 naming `item_code`."""
    site = _site(request, study_site_id)
    require(can_submit_for_site(actor(request), site.study_id, site.pk), ONLY_SITE)
    values = payload.model_dump()
    values["currency"] = values["currency"].upper()
    return 201, _invoice_out(invoices.submit_site_invoice(study_site=site, by=actor(request), **values))


@router.get("/site-invoices/{site_invoice_id}", response=with_errors({200: SiteInvoiceOut}, READ_ERRORS))
def get_site_invoice(request, response: HttpResponse, site_invoice_id: int):
    invoice = visible_or_404(request, SiteInvoice, site_invoice_id)
    set_etag(response, invoice)
    return _invoice_out(invoice)


@router.post(
    "/site-invoices/{site_invoice_id}/decide", response=with_errors({200: SiteInvoiceOut}, WRITE_ERRORS)
)
def decide_site_invoice(request, site_invoice_id: int, payload: InvoiceDecisionIn):
    """Approve (it earns its payable line at the next generation) or dispute with a reason."""
    invoice = visible_or_404(request, SiteInvoice, site_invoice_id, "study_site__institution")
    require(can_manage_finance(actor(request), invoice.study_id), ONLY_MANAGERS)
    return _invoice_out(
        invoices.decide_site_invoice(
            invoice=invoice,
            by=actor(request),
            decision=payload.decision,
            reason=payload.reason,
            expected_version=payload.version,
        )
    )


# Vendor contracts ------------------------------------------------------------------------------------


def _contract_out(contract: VendorContract, totals=None) -> dict:
    c = contract.currency
    return {
        "id": contract.pk,
        "vendor": contract.vendor,
        "service": contract.service,
        "reference": contract.reference,
        "currency": c,
        "value": _text(contract.value, c),
        "value_with_change_orders": _text(totals.value if totals else contract.value, c),
        "invoiced": _text(totals.invoiced if totals else 0, c),
        "delivered": _text(totals.delivered if totals else 0, c),
        "start_on": contract.start_on,
        "end_on": contract.end_on,
        "milestones": [
            {
                "id": m.pk,
                "name": m.name,
                "deliverable": m.deliverable,
                "due_on": m.due_on,
                "amount": _text(m.amount, c),
                "delivered_on": m.delivered_on,
            }
            for m in contract.milestones.all()
        ],
        "version": contract.version,
    }


@router.get(
    "/studies/{study_id}/vendor-contracts", response=with_errors({200: page_schema(ContractOut)}, READ_ERRORS)
)
def list_contracts(request, study_id: int, page: Query[PageQuery]):
    """Vendor and CRO contracts with spend against contract value and milestones delivered."""
    study = _study(request, study_id)
    result = paginate(selectors.contracts_for(actor(request), study).prefetch_related("milestones"), page)
    totals = {v.contract.pk: v for v in selectors.vendor_totals(study, None)} if result["items"] else {}
    return {**result, "items": [_contract_out(c, totals.get(c.pk)) for c in result["items"]]}


@router.post("/studies/{study_id}/vendor-contracts", response=with_errors({201: ContractOut}, WRITE_ERRORS))
def create_contract(request, study_id: int, payload: ContractIn):
    study = _study(request, study_id)
    require(can_manage_finance(actor(request), study.pk), ONLY_MANAGERS)
    values = payload.model_dump()
    values["currency"] = values["currency"].upper()
    return 201, _contract_out(vendors.create_contract(study=study, by=actor(request), **values))


def _contract(request, vendor_contract_id: int, *, write: bool = False) -> VendorContract:
    contract = visible_or_404(request, VendorContract, vendor_contract_id, "study")
    if write:
        require(can_manage_finance(actor(request), contract.study_id), ONLY_MANAGERS)
    return contract


@router.get("/vendor-contracts/{vendor_contract_id}", response=with_errors({200: ContractOut}, READ_ERRORS))
def get_contract(request, response: HttpResponse, vendor_contract_id: int):
    contract = _contract(request, vendor_contract_id)
    totals = next(
        (v for v in selectors.vendor_totals(contract.study, None) if v.contract.pk == contract.pk), None
    )
    set_etag(response, contract)
    return _contract_out(contract, totals)


def _created(record) -> tuple[int, dict]:
    return 201, {"id": record.pk, "version": record.version}


@router.post(
    "/vendor-contracts/{vendor_contract_id}/milestones", response=with_errors({201: CreatedOut}, WRITE_ERRORS)
)
def add_milestone(request, vendor_contract_id: int, payload: VendorMilestoneIn):
    contract = _contract(request, vendor_contract_id, write=True)
    return _created(vendors.add_milestone(contract=contract, by=actor(request), **payload.model_dump()))


@router.post(
    "/vendor-contracts/{vendor_contract_id}/change-orders",
    response=with_errors({201: CreatedOut}, WRITE_ERRORS),
)
def add_change_order(request, vendor_contract_id: int, payload: ChangeOrderIn):
    contract = _contract(request, vendor_contract_id, write=True)
    return _created(vendors.add_change_order(contract=contract, by=actor(request), **payload.model_dump()))


@router.post(
    "/vendor-contracts/{vendor_contract_id}/indicators", response=with_errors({201: CreatedOut}, WRITE_ERRORS)
)
def add_indicator(request, vendor_contract_id: int, payload: IndicatorIn):
    contract = _contract(request, vendor_contract_id, write=True)
    return _created(vendors.add_indicator(contract=contract, by=actor(request), **payload.model_dump()))


@router.post(
    "/vendor-contracts/{vendor_contract_id}/invoices", response=with_errors({201: CreatedOut}, WRITE_ERRORS)
)
def submit_vendor_invoice(request, vendor_contract_id: int, payload: VendorInvoiceIn):
    contract = _contract(request, vendor_contract_id, write=True)
    values = payload.model_dump(exclude={"milestone_id"})
    milestone = referenced(contract.milestones.all(), payload.milestone_id, field="milestone_id")
    return _created(
        vendors.submit_vendor_invoice(contract=contract, by=actor(request), milestone=milestone, **values)
    )


@router.post(
    "/vendor-invoices/{vendor_invoice_id}/decide", response=with_errors({200: CreatedOut}, WRITE_ERRORS)
)
def decide_vendor_invoice(request, vendor_invoice_id: int, payload: InvoiceDecisionIn):
    invoice = visible_or_404(request, VendorInvoice, vendor_invoice_id, "contract")
    require(can_manage_finance(actor(request), invoice.contract.study_id), ONLY_MANAGERS)
    invoice = vendors.decide_vendor_invoice(
        invoice=invoice,
        by=actor(request),
        decision=payload.decision,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return {"id": invoice.pk, "version": invoice.version}


# Exchange rates and procedures -----------------------------------------------------------------------


def _rate_out(rate: ExchangeRate) -> dict:
    return {
        "id": rate.pk,
        "base": rate.base,
        "quote": rate.quote,
        "on": rate.on,
        "rate": f"{rate.rate.normalize():f}",
        "source": rate.source,
    }


@router.get("/exchange-rates", response=with_errors({200: page_schema(RateOut)}, READ_ERRORS))
def list_rates(request, filters: Query[RateFilters]):
    """Dated reference rates (reference data, readable by everyone signed in), newest first."""
    rates = ExchangeRate.objects.visible_to(actor(request)).order_by("-on", "base", "quote")
    if filters.base:
        rates = rates.filter(base=filters.base.upper())
    if filters.quote:
        rates = rates.filter(quote=filters.quote.upper())
    result = paginate(rates, filters)
    return {**result, "items": [_rate_out(r) for r in result["items"]]}


@router.post("/exchange-rates", response=with_errors({201: RateOut}, CREATE_ERRORS))
def create_rate(request, payload: RateIn):
    return 201, _rate_out(budgets.create_exchange_rate(by=actor(request), **payload.model_dump()))


@router.get(
    "/study-sites/{study_site_id}/procedures",
    response=with_errors({200: page_schema(ProcedureOut)}, READ_ERRORS),
)
def list_procedures(request, study_site_id: int, page: Query[PageQuery]):
    site = _site(request, study_site_id)
    records = ProcedureRecord.objects.visible_to(actor(request)).filter(study_site=site)
    result = paginate(records, page)
    return {
        **result,
        "items": [
            {"id": r.pk, "participant_id": r.participant_id, "code": r.code, "done_on": r.done_on}
            for r in result["items"]
        ],
    }


@router.post(
    "/study-sites/{study_site_id}/procedures", response=with_errors({201: ProcedureOut}, WRITE_ERRORS)
)
def record_procedure(request, study_site_id: int, payload: ProcedureIn):
    """A procedure done for a participant of the site that its fee schedule may pay for."""
    site = _site(request, study_site_id)
    if not can_submit_for_site(actor(request), site.study_id, site.pk):
        raise PermissionDenied(ONLY_SITE)
    participant = referenced(
        Participant.objects.visible_to(actor(request)).filter(study_site=site),
        payload.participant_id,
        field="participant_id",
    )
    record = budgets.record_procedure(
        participant=participant,
        by=actor(request),
        code=payload.code,
        done_on=payload.done_on,
        note=payload.note,
    )
    return 201, {
        "id": record.pk,
        "participant_id": record.participant_id,
        "code": record.code,
        "done_on": record.done_on,
    }
