"""API operations on action items, issues, risks, quality tolerance limits and signals."""

from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring import selectors, services
from trialdesk.monitoring.models import IssueStatus, QualityToleranceLimit
from trialdesk.monitoring.permissions import (
    ONLY_CRM,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
    can_monitor_some_site,
    can_raise_issues,
    can_work_on_action_item,
    can_work_on_issue,
    may_read_sponsor_side,
)
from trialdesk.monitoring.rules import actions as action_rules
from trialdesk.monitoring.schemas.quality import (
    ActionFilters,
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    ActionMoveIn,
    IssueFilters,
    IssueIn,
    IssueMoveIn,
    IssueOut,
    IssuePatch,
    QtlIn,
    QtlOut,
    QtlPatch,
    QtlStatusOut,
    RiskIn,
    RiskOut,
    RiskPatch,
    SignalCloseIn,
    SignalFilters,
    SignalOut,
    TriageIn,
)
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["monitoring"])
PEOPLE = ("owner_id", "owner")


def _people():
    return User.objects.filter(is_active=True)


def _version(payload_version, if_match):
    return (
        payload_version if payload_version is not None or not if_match else expected_version(None, if_match)
    )


def _study(request, study_id: int) -> Study:
    """The study (404 outside scope); its lists hold what the reader may see (site staff: little)."""
    return visible_or_404(request, Study, study_id)


# Action items ------------------------------------------------------------------------------------------


def _item_out(item) -> dict:
    today = item.study_site.local_today()
    names = set(ActionItemOut.model_fields) - {"site_number", "owner", "overdue"}
    return {
        **{name: getattr(item, name) for name in names},
        "site_number": item.study_site.site_number,
        "owner": item.owner.username if item.owner_id else None,
        "overdue": action_rules.is_overdue(status=item.status, due_on=item.due_on, today=today),
    }


@router.get(
    "/studies/{study_id}/action-items", response=with_errors({200: page_schema(ActionItemOut)}, READ_ERRORS)
)
def list_action_items(request, study_id: int, filters: Query[ActionFilters]):
    """The study's action items the reader may see (site staff: their site's), soonest due first."""
    study = visible_or_404(request, Study, study_id)
    items = selectors.action_items_for(actor(request)).filter(study=study)
    items = (
        items.filter(status=filters.status) if filters.status else items.exclude(status=action_rules.CLOSED)
    )
    if filters.study_site_id is not None:
        items = items.filter(study_site_id=filters.study_site_id)
    if filters.mine:
        items = items.filter(owner=actor(request))
    page = paginate(items.order_by("due_on", "number"), filters)
    page["items"] = [_item_out(i) for i in page["items"]]
    return page


@router.post("/studies/{study_id}/action-items", response=with_errors({201: ActionItemOut}, WRITE_ERRORS))
def create_action_item(request, study_id: int, payload: ActionItemIn):
    """Raise an action item at a site (its CRA or the study's CRM), optionally at a visit report."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_monitor_some_site(user, study.pk), ONLY_SITE_CRA)
    values = model_values(
        payload,
        references={
            "study_site_id": ("study_site", StudySite.objects.visible_to(user).filter(study=study)),
            "owner_id": ("owner", _people()),
            "report_id": ("report", selectors.reports_for(user).filter(study=study)),
            "finding_id": ("finding", selectors.findings_for(user).filter(study=study)),
        },
    )
    site, report = values.pop("study_site"), values.pop("report", None)
    item = services.raise_action_item(
        study_site=site, by=user, report=report, reason=payload.reason, **values
    )
    return Status(201, _item_out(item))


def _item(request, action_item_id: int):
    return get_object_or_404(selectors.action_items_for(actor(request)), pk=action_item_id)


@router.get("/action-items/{action_item_id}", response=with_errors({200: ActionItemOut}, READ_ERRORS))
def get_action_item(request, action_item_id: int, response: HttpResponse):
    item = _item(request, action_item_id)
    set_etag(response, item)
    return _item_out(item)


@router.patch("/action-items/{action_item_id}", response=with_errors({200: ActionItemOut}, WRITE_ERRORS))
def update_action_item(
    request, action_item_id: int, payload: ActionItemPatch, response: HttpResponse, if_match: IfMatch = None
):
    item = _item(request, action_item_id)
    require(can_monitor_site(actor(request), item.study_site), ONLY_SITE_CRA)
    changes = model_values(payload, references={"owner_id": ("owner", _people())})
    item = services.update_action_item(
        item=item,
        changes=changes,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, item)
    return _item_out(item)


@router.post(
    "/action-items/{action_item_id}/transition", response=with_errors({200: ActionItemOut}, WRITE_ERRORS)
)
def move_action_item(
    request, action_item_id: int, payload: ActionMoveIn, response: HttpResponse, if_match: IfMatch = None
):
    """resolve (its owner or the site's staff, saying what was done), close or reopen (the site's CRA)."""
    item = _item(request, action_item_id)
    user = actor(request)
    allowed = (
        can_monitor_site(user, item.study_site)
        if payload.to in action_rules.VERIFYING_MOVES
        else can_work_on_action_item(user, item)
    )
    require(allowed, services.actions.NOT_YOURS)
    item = services.move_action_item(
        item=item,
        move=payload.to,
        by=user,
        resolution=payload.resolution,
        reason=payload.reason,
        expected_version=_version(payload.version, if_match),
    )
    set_etag(response, item)
    return _item_out(item)


# Issues -----------------------------------------------------------------------------------------------------


def _issue_out(issue) -> dict:
    names = set(IssueOut.model_fields) - {"owner"}
    return {
        **{name: getattr(issue, name) for name in names},
        "owner": issue.owner.username if issue.owner_id else None,
    }


@router.get("/studies/{study_id}/issues", response=with_errors({200: page_schema(IssueOut)}, READ_ERRORS))
def list_issues(request, study_id: int, filters: Query[IssueFilters]):
    study = visible_or_404(request, Study, study_id)
    issues = selectors.issues_for(actor(request)).filter(study=study)
    if filters.status in IssueStatus.values:
        issues = issues.filter(status=filters.status)
    elif filters.status != "all":
        issues = issues.exclude(status=IssueStatus.CLOSED)
    page = paginate(issues.order_by("due_on", "number"), filters)
    page["items"] = [_issue_out(i) for i in page["items"]]
    return page


@router.post("/studies/{study_id}/issues", response=with_errors({201: IssueOut}, WRITE_ERRORS))
def create_issue(request, study_id: int, payload: IssueIn):
    """Raise an issue of the study or a site (the CRM, or a CRA for their sites)."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_raise_issues(user, study.pk), "Only the study's CRM or a CRA raises issues.")
    sites = StudySite.objects.visible_to(user).filter(study=study)
    values = model_values(
        payload, references={"study_site_id": ("study_site", sites), "owner_id": ("owner", _people())}
    )
    return Status(
        201, _issue_out(services.raise_issue(study=study, by=user, reason=payload.reason, **values))
    )


def _issue(request, issue_id: int):
    return get_object_or_404(selectors.issues_for(actor(request)), pk=issue_id)


@router.get("/issues/{issue_id}", response=with_errors({200: IssueOut}, READ_ERRORS))
def get_issue(request, issue_id: int, response: HttpResponse):
    issue = _issue(request, issue_id)
    set_etag(response, issue)
    return _issue_out(issue)


@router.patch("/issues/{issue_id}", response=with_errors({200: IssueOut}, WRITE_ERRORS))
def update_issue(
    request, issue_id: int, payload: IssuePatch, response: HttpResponse, if_match: IfMatch = None
):
    issue = _issue(request, issue_id)
    require(can_work_on_issue(actor(request), issue), services.quality.ONLY_OWNER)
    changes = model_values(payload, references={"owner_id": ("owner", _people())})
    issue = services.update_issue(
        issue=issue,
        changes=changes,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, issue)
    return _issue_out(issue)


@router.post("/issues/{issue_id}/transition", response=with_errors({200: IssueOut}, WRITE_ERRORS))
def move_issue(
    request, issue_id: int, payload: IssueMoveIn, response: HttpResponse, if_match: IfMatch = None
):
    """Move the issue along its CAPA: capa, effectiveness_check, closed (rules.quality: what each needs)."""
    issue = _issue(request, issue_id)
    require(can_work_on_issue(actor(request), issue), services.quality.ONLY_OWNER)
    values = payload.model_dump(exclude_none=True, exclude={"to", "reason", "version"})
    issue = services.move_issue(
        issue=issue,
        to=str(payload.to),
        by=actor(request),
        reason=payload.reason,
        expected_version=_version(payload.version, if_match),
        **values,
    )
    set_etag(response, issue)
    return _issue_out(issue)


# Risks and QTLs ---------------------------------------------------------------------------------------------


def _risk_out(risk) -> dict:
    names = set(RiskOut.model_fields) - {"owner"}
    return {
        **{name: getattr(risk, name) for name in names},
        "owner": risk.owner.username if risk.owner_id else None,
    }


def _risk_references(study) -> dict:
    return {
        "owner_id": ("owner", _people()),
        "qtl_id": ("qtl", QualityToleranceLimit.objects.filter(study=study)),
    }


@router.get("/studies/{study_id}/risks", response=with_errors({200: page_schema(RiskOut)}, READ_ERRORS))
def list_risks(request, study_id: int, page: Query[PageQuery]):
    """The risk register (TransCelerate RACT), by number."""
    study = _study(request, study_id)
    found = paginate(selectors.risks_for(actor(request)).filter(study=study).order_by("number"), page)
    found["items"] = [_risk_out(r) for r in found["items"]]
    return found


@router.post("/studies/{study_id}/risks", response=with_errors({201: RiskOut}, WRITE_ERRORS))
def create_risk(request, study_id: int, payload: RiskIn):
    study = visible_or_404(request, Study, study_id)
    require(can_manage_monitoring(actor(request), study.pk), ONLY_CRM)
    values = model_values(payload, references=_risk_references(study))
    return Status(
        201, _risk_out(services.create_risk(study=study, by=actor(request), reason=payload.reason, **values))
    )


def _risk(request, risk_id: int):
    return get_object_or_404(selectors.risks_for(actor(request)), pk=risk_id)


@router.get("/risks/{risk_id}", response=with_errors({200: RiskOut}, READ_ERRORS))
def get_risk(request, risk_id: int, response: HttpResponse):
    risk = _risk(request, risk_id)
    set_etag(response, risk)
    return _risk_out(risk)


@router.patch("/risks/{risk_id}", response=with_errors({200: RiskOut}, WRITE_ERRORS))
def update_risk(request, risk_id: int, payload: RiskPatch, response: HttpResponse, if_match: IfMatch = None):
    risk = _risk(request, risk_id)
    require(can_manage_monitoring(actor(request), risk.study_id), ONLY_CRM)
    changes = model_values(payload, references=_risk_references(risk.study))
    risk = services.update_risk(
        risk=risk,
        changes=changes,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, risk)
    return _risk_out(risk)


def _percent(values: dict) -> dict:
    return {
        k: Decimal(str(round(v, 2))) if k in ("limit", "secondary_limit") and v is not None else v
        for k, v in values.items()
    }


def _qtl_out(qtl) -> dict:
    return {
        **{name: getattr(qtl, name) for name in ("id", "study_id", "parameter", "rationale", "version")},
        "limit": float(qtl.limit),
        "secondary_limit": None if qtl.secondary_limit is None else float(qtl.secondary_limit),
    }


@router.get("/studies/{study_id}/qtls", response=with_errors({200: page_schema(QtlOut)}, READ_ERRORS))
def list_qtls(request, study_id: int, page: Query[PageQuery]):
    study = _study(request, study_id)
    found = paginate(selectors.qtls_for(actor(request)).filter(study=study).order_by("parameter"), page)
    found["items"] = [_qtl_out(q) for q in found["items"]]
    return found


@router.post("/studies/{study_id}/qtls", response=with_errors({201: QtlOut}, WRITE_ERRORS))
def create_qtl(request, study_id: int, payload: QtlIn):
    study = visible_or_404(request, Study, study_id)
    require(can_manage_monitoring(actor(request), study.pk), ONLY_CRM)
    qtl = services.create_qtl(
        study=study, by=actor(request), reason=payload.reason, **_percent(model_values(payload))
    )
    return Status(201, _qtl_out(qtl))


def _qtl(request, qtl_id: int):
    return get_object_or_404(selectors.qtls_for(actor(request)), pk=qtl_id)


@router.get("/qtls/{qtl_id}", response=with_errors({200: QtlOut}, READ_ERRORS))
def get_qtl(request, qtl_id: int, response: HttpResponse):
    qtl = _qtl(request, qtl_id)
    set_etag(response, qtl)
    return _qtl_out(qtl)


@router.patch("/qtls/{qtl_id}", response=with_errors({200: QtlOut}, WRITE_ERRORS))
def update_qtl(request, qtl_id: int, payload: QtlPatch, response: HttpResponse, if_match: IfMatch = None):
    qtl = _qtl(request, qtl_id)
    require(can_manage_monitoring(actor(request), qtl.study_id), ONLY_CRM)
    qtl = services.update_qtl(
        qtl=qtl,
        changes=_percent(model_values(payload)),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, qtl)
    return _qtl_out(qtl)


@router.get(
    "/studies/{study_id}/qtl-status", response=with_errors({200: page_schema(QtlStatusOut)}, READ_ERRORS)
)
def list_qtl_status(request, study_id: int, page: Query[PageQuery]):
    """Every QTL parameter's value from the study's records, with its limit and status (as `rbqm qtl`)."""
    study = _study(request, study_id)
    items = [
        {
            **reading.as_dict(),
            "label": reading.label,
            "numerator": reading.numerator,
            "denominator": reading.denominator,
            "explanation": reading.explanation,
            "qtl_id": reading.qtl.pk if reading.qtl else None,
        }
        for reading in (study_qtl_readings(study) if may_read_sponsor_side(actor(request), study.pk) else ())
    ]
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


@router.post(
    "/studies/{study_id}/qtl-status/issues", response=with_errors({200: page_schema(IssueOut)}, WRITE_ERRORS)
)
def open_qtl_breach_issues(request, study_id: int, page: Query[PageQuery]):
    """Open an issue for each QTL in breach that has none open (the CRM; what the daily job does)."""
    study = visible_or_404(request, Study, study_id)
    require(can_manage_monitoring(actor(request), study.pk), ONLY_CRM)
    opened = services.record_qtl_breaches(study=study, by=actor(request), today=timezone.localdate())
    return {
        "count": len(opened),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_issue_out(i) for i in opened],
    }


# Signals ----------------------------------------------------------------------------------------------------


def _signal_out(signal) -> dict:
    return {
        **{
            name: getattr(signal, name)
            for name in (
                "id",
                "study_id",
                "study_site_id",
                "flag",
                "score",
                "metric",
                "opened_on",
                "status",
                "rationale",
                "triaged_on",
                "closed_on",
                "version",
            )
        },
        "site": signal.study_site.site_number,
        "kri": signal.kri_key,
        "decision": signal.decision or None,
        "visit_ids": [visit.pk for visit in signal.visits.all()],
    }


@router.get("/studies/{study_id}/signals", response=with_errors({200: page_schema(SignalOut)}, READ_ERRORS))
def list_signals(request, study_id: int, filters: Query[SignalFilters]):
    """Signals opened by red KRI flags, newest first (as `rbqm signals`)."""
    study = _study(request, study_id)
    signals = selectors.signals_for(actor(request)).filter(study=study).prefetch_related("visits")
    if filters.status:
        signals = signals.filter(status=filters.status)
    page = paginate(signals.order_by("-opened_on", "-id"), filters)
    page["items"] = [_signal_out(s) for s in page["items"]]
    return page


@router.post(
    "/studies/{study_id}/signals/check", response=with_errors({200: page_schema(SignalOut)}, WRITE_ERRORS)
)
def check_signals(request, study_id: int, page: Query[PageQuery]):
    """Open a signal for each new red KRI flag (the CRM; what the daily job does); answers those opened."""
    study = visible_or_404(request, Study, study_id)
    require(can_manage_monitoring(actor(request), study.pk), ONLY_CRM)
    opened = services.open_signals(study=study, by=actor(request))
    return {
        "count": len(opened),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_signal_out(s) for s in opened],
    }


def _signal(request, signal_id: int):
    return get_object_or_404(selectors.signals_for(actor(request)), pk=signal_id)


@router.get("/signals/{signal_id}", response=with_errors({200: SignalOut}, READ_ERRORS))
def get_signal(request, signal_id: int, response: HttpResponse):
    signal = _signal(request, signal_id)
    set_etag(response, signal)
    return _signal_out(signal)


@router.post("/signals/{signal_id}/triage", response=with_errors({200: SignalOut}, WRITE_ERRORS))
def triage_signal(request, signal_id: int, payload: TriageIn):
    """Decide: for_cause_visit, remote_review, action_item, or no_action (with a rationale)."""
    signal = _signal(request, signal_id)
    require(can_monitor_site(actor(request), signal.study_site), ONLY_SITE_CRA)
    values = model_values(payload, references={"owner_id": ("owner", _people())})
    signal = services.triage_signal(
        signal=signal,
        by=actor(request),
        decision=str(values["decision"]),
        rationale=values.get("rationale", ""),
        owner=values.get("owner"),
        expected_version=payload.version,
    )
    return _signal_out(signal)


@router.post("/signals/{signal_id}/close", response=with_errors({200: SignalOut}, WRITE_ERRORS))
def close_signal(request, signal_id: int, payload: SignalCloseIn, if_match: IfMatch = None):
    signal = _signal(request, signal_id)
    require(can_monitor_site(actor(request), signal.study_site), ONLY_SITE_CRA)
    return _signal_out(
        services.close_signal(
            signal=signal,
            by=actor(request),
            reason=payload.reason,
            expected_version=_version(payload.version, if_match),
        )
    )
