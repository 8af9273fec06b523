"""Pages of the issue log, the risk register, quality tolerance limits and signals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.sorting import sort_columns
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.monitoring import selectors, services
from trialdesk.monitoring.forms.quality import (
    IssueForm,
    IssueMoveForm,
    QtlForm,
    RiskForm,
    SignalCloseForm,
    TriageForm,
)
from trialdesk.monitoring.models import Issue, IssueStatus, QualityToleranceLimit, Risk
from trialdesk.monitoring.permissions import (
    ONLY_CRM,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
    can_raise_issues,
    can_work_on_issue,
)
from trialdesk.monitoring.rules import quality as rules
from trialdesk.monitoring.views.common import (
    attempt,
    not_post,
    require_sponsor_side,
    tab_url,
    url,
    visible_study,
)
from trialdesk.sites.models import StudySite
from trialdesk.statistics import kris

ISSUE_COLUMNS = (
    ("number", "Issue"),
    ("site", "Site"),
    ("severity", "Severity"),
    ("owner", "Owner"),
    ("due_on", "Due"),
    ("status", "Status"),
)
ISSUE_SORTS = {
    "number": "number",
    "site": "study_site__site_number",
    "severity": "severity",
    "owner": "owner__username",
    "due_on": "due_on",
    "status": "status",
}


# Issues -------------------------------------------------------------------------------------------------


@login_required
@require_safe
def issue_list(request, study_id):
    study = visible_study(request, study_id)
    issues = selectors.issues_for(request.user).filter(study=study)
    status = request.GET.get("status", "")
    if status in IssueStatus.values:
        issues = issues.filter(status=status)
    elif status != "all":
        issues = issues.exclude(status=IssueStatus.CLOSED)
    sort = request.GET.get("sort", "due_on")
    order = ISSUE_SORTS.get(sort.removeprefix("-"), "due_on")
    page = paginate(issues.order_by(("-" if sort.startswith("-") else "") + order, "-number"), request)
    context = {
        "study": study,
        "page": page,
        "status": status,
        "statuses": IssueStatus.choices,
        "columns": sort_columns(ISSUE_COLUMNS, sort),
        "may_raise": can_raise_issues(request.user, study.pk),
        "nav": "portfolio",
    }
    template = (
        "monitoring/partials/issue_table.html" if wants_partial(request) else "monitoring/issue_list.html"
    )
    return TemplateResponse(request, template, context)


def _issue_sites(request, study):
    sites = StudySite.objects.filter(study=study)
    if can_manage_monitoring(request.user, study.pk):
        return sites
    return sites.filter(role_assignments__user=request.user, role_assignments__role="monitor")


@login_required
def issue_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_raise_issues(request.user, study.pk), gettext("Only the study's CRM or a CRA raises issues."))
    form = IssueForm(
        post_data(request), instance=Issue(study=study), study=study, sites=_issue_sites(request, study)
    )
    return form_page(
        request,
        form,
        lambda f: services.raise_issue(study=study, by=request.user, **f.changed_values()),
        title=gettext("Raise an issue in %(code)s") % {"code": study.code},
        cancel_url=url("monitoring_issues", study_id=study.pk),
        done=lambda issue: url("monitoring_issue", issue_id=issue.pk),
        saved=gettext("Issue raised."),
        study=study,
    )


def _visible_issue(request, issue_id) -> Issue:
    return get_object_or_404(selectors.issues_for(request.user), pk=issue_id)


@login_required
def issue_detail(request, issue_id):
    """The issue and its CAPA; POST moves it along (rules.quality), saving the CAPA fields given."""
    issue = _visible_issue(request, issue_id)
    may_work = can_work_on_issue(request.user, issue)
    form = IssueMoveForm(
        post_data(request),
        initial={
            "version": issue.version,
            **{
                n: getattr(issue, n)
                for n in (
                    "root_cause",
                    "corrective_action",
                    "preventive_action",
                    "effectiveness_check_on",
                    "effectiveness",
                )
            },
        },
    )
    if request.method == "POST":
        require(may_work, services.quality.ONLY_OWNER)
        moved = submit(
            form,
            lambda f: services.move_issue(
                issue=issue,
                to=f.cleaned_data["to"],
                by=request.user,
                reason=f.cleaned_data["reason"],
                expected_version=f.cleaned_data.get("version"),
                **f.capa_values(),
            ),
        )
        if moved is not None:
            messages.success(
                request,
                gettext("%(moved)s is now %(value)s.")
                % {"moved": moved, "value": gettext(moved.get_status_display()).lower()},
            )
            return redirect(url("monitoring_issue", issue_id=issue.pk))
    form.fields["to"].choices = [
        (to, IssueStatus(to).label) for to in rules.ISSUE_MOVES.get(issue.status, ())
    ]
    context = {
        "issue": issue,
        "study": issue.study,
        "form": form,
        "may_work": may_work and issue.status != IssueStatus.CLOSED,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "monitoring/issue_detail.html", context)


@login_required
def issue_edit(request, issue_id):
    issue = _visible_issue(request, issue_id)
    require(can_work_on_issue(request.user, issue), services.quality.ONLY_OWNER)
    form = IssueForm(
        post_data(request), instance=issue, study=issue.study, sites=_issue_sites(request, issue.study)
    )
    return form_page(
        request,
        form,
        lambda f: services.update_issue(
            issue=issue,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change %(issue)s") % {"issue": issue},
        cancel_url=url("monitoring_issue", issue_id=issue.pk),
        done=lambda i: url("monitoring_issue", issue_id=i.pk),
        saved=gettext("Issue saved."),
        study=issue.study,
    )


# Risks ---------------------------------------------------------------------------------------------------


@login_required
@require_safe
def risk_list(request, study_id):
    """The risk register, highest score first."""
    study = visible_study(request, study_id)
    require_sponsor_side(request.user, study.pk)
    risks = sorted(
        selectors.risks_for(request.user).filter(study=study),
        key=lambda r: (r.status != "open", -r.score, r.number),
    )
    kri_names = {d.key: d.name for d in kris.kri_definitions()}
    context = {
        "study": study,
        "risks": [(risk, kri_names.get(risk.kri_key, "")) for risk in risks],
        "can_manage": can_manage_monitoring(request.user, study.pk),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "monitoring/risk_list.html", context)


@login_required
def risk_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_monitoring(request.user, study.pk), ONLY_CRM)
    qtls = QualityToleranceLimit.objects.filter(study=study)
    form = RiskForm(post_data(request), instance=Risk(study=study), study=study, qtls=qtls)
    return form_page(
        request,
        form,
        lambda f: services.create_risk(study=study, by=request.user, **f.changed_values()),
        title=gettext("New risk in %(code)s") % {"code": study.code},
        cancel_url=url("monitoring_risks", study_id=study.pk),
        done=lambda r: url("monitoring_risks", study_id=study.pk),
        saved=gettext("Risk added to the register."),
        study=study,
    )


@login_required
def risk_edit(request, risk_id):
    risk = get_object_or_404(selectors.risks_for(request.user), pk=risk_id)
    require(can_manage_monitoring(request.user, risk.study_id), ONLY_CRM)
    form = RiskForm(
        post_data(request),
        instance=risk,
        study=risk.study,
        qtls=QualityToleranceLimit.objects.filter(study=risk.study),
    )
    return form_page(
        request,
        form,
        lambda f: services.update_risk(
            risk=risk,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change %(risk)s") % {"risk": risk},
        cancel_url=url("monitoring_risks", study_id=risk.study_id),
        done=lambda r: url("monitoring_risks", study_id=risk.study_id),
        saved=gettext("Risk saved."),
        study=risk.study,
    )


# Quality tolerance limits -------------------------------------------------------------------------------


@login_required
def qtl_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_monitoring(request.user, study.pk), ONLY_CRM)
    form = QtlForm(post_data(request), instance=QualityToleranceLimit(study=study))
    return form_page(
        request,
        form,
        lambda f: services.create_qtl(study=study, by=request.user, **f.changed_values()),
        title=gettext("New quality tolerance limit in %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "rbqm"),
        done=lambda q: tab_url(study, "rbqm"),
        saved=gettext("Quality tolerance limit set."),
        study=study,
    )


@login_required
def qtl_edit(request, qtl_id):
    qtl = get_object_or_404(selectors.qtls_for(request.user).select_related("study"), pk=qtl_id)
    require(can_manage_monitoring(request.user, qtl.study_id), ONLY_CRM)
    form = QtlForm(post_data(request), instance=qtl)
    return form_page(
        request,
        form,
        lambda f: services.update_qtl(
            qtl=qtl,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change the %(qtl)s") % {"qtl": qtl},
        cancel_url=tab_url(qtl.study, "rbqm"),
        done=lambda q: tab_url(qtl.study, "rbqm"),
        saved=gettext("Quality tolerance limit saved."),
        study=qtl.study,
    )


@login_required
def qtl_evaluate(request, study_id):
    """Open an issue for each QTL in breach without one (what the daily `rbqm qtl` job does)."""
    study = visible_study(request, study_id)
    require(can_manage_monitoring(request.user, study.pk), ONLY_CRM)
    if refused := not_post(request):
        return refused
    opened = []
    response = attempt(
        request,
        lambda: opened.extend(services.record_qtl_breaches(study=study, by=request.user)),
        done=tab_url(study, "rbqm"),
        saved=gettext("Quality tolerance limits checked."),
    )
    if opened:
        messages.info(
            request,
            gettext("Issues opened for breaches: %(value)s.") % {"value": ", ".join(str(i) for i in opened)},
        )
    return response


# Signals ------------------------------------------------------------------------------------------------


@login_required
def signals_check(request, study_id):
    """Open a signal for each new red KRI flag (what the daily `rbqm signals` job does)."""
    study = visible_study(request, study_id)
    require(can_manage_monitoring(request.user, study.pk), ONLY_CRM)
    if refused := not_post(request):
        return refused
    opened = []
    response = attempt(
        request,
        lambda: opened.extend(services.open_signals(study=study, by=request.user)),
        done=tab_url(study, "rbqm"),
        saved=gettext("KRIs checked for red flags."),
    )
    messages.info(
        request, ngettext("%(n)s new signal.", "%(n)s new signals.", len(opened)) % {"n": len(opened)}
    )
    return response


def _visible_signal(request, signal_id):
    return get_object_or_404(selectors.signals_for(request.user), pk=signal_id)


@login_required
def signal_detail(request, signal_id):
    """The signal and its KRI; POST: the triage decision."""
    signal = _visible_signal(request, signal_id)
    may_triage = can_monitor_site(request.user, signal.study_site)
    form = TriageForm(post_data(request), study_site=signal.study_site, initial={"version": signal.version})
    if request.method == "POST":
        require(may_triage, ONLY_SITE_CRA)
        triaged = submit(
            form,
            lambda f: services.triage_signal(
                signal=signal,
                by=request.user,
                decision=f.cleaned_data["decision"],
                rationale=f.cleaned_data["rationale"],
                owner=f.cleaned_data["owner"],
                expected_version=f.cleaned_data.get("version"),
            ),
        )
        if triaged is not None:
            messages.success(
                request,
                gettext("Signal triaged: %(value)s.")
                % {"value": gettext(triaged.get_decision_display()).lower()},
            )
            return redirect(url("monitoring_signal", signal_id=signal.pk))
    context = {
        "signal": signal,
        "study": signal.study,
        "kri": kris.definition(signal.kri_key),
        "flag_label": kris.FLAG_LABELS.get(signal.flag, signal.flag),
        "form": form,
        "close_form": SignalCloseForm(initial={"version": signal.version}),
        "may_triage": may_triage,
        "visits": signal.visits.all(),
        "issues": selectors.issues_for(request.user).filter(signal=signal),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "monitoring/signal_detail.html", context)


@login_required
def signal_close(request, signal_id):
    signal = _visible_signal(request, signal_id)
    require(can_monitor_site(request.user, signal.study_site), ONLY_SITE_CRA)
    if refused := not_post(request):
        return refused
    return attempt(
        request,
        lambda: services.close_signal(signal=signal, by=request.user, reason=request.POST.get("reason", "")),
        done=url("monitoring_signal", signal_id=signal.pk),
        saved=gettext("Signal closed."),
    )
