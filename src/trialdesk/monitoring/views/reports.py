"""Pages of a visit report: write it, sign and submit it, review it (approve with a signature or return
with comments), its findings, the participants source-verified, action items, the follow-up letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.permissions import can_see_subject_level, require
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.core.views import form_page, post_data
from trialdesk.monitoring import letters, selectors, services
from trialdesk.monitoring.forms.quality import ActionItemForm, IssueForm
from trialdesk.monitoring.forms.reports import (
    FindingDeviationForm,
    FindingForm,
    ReportForm,
    ReviewForm,
    SourceReviewForm,
    SubmitForm,
)
from trialdesk.monitoring.models import ActionItem, Finding, Issue, IssueSource
from trialdesk.monitoring.permissions import (
    ONLY_REVIEWER,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
    can_raise_issues,
)
from trialdesk.monitoring.rules import reports as rules
from trialdesk.monitoring.views.common import attempt, not_post, url, visible_report
from trialdesk.sites.models import StudySite
from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ScheduledVisit


def _report_url(report) -> str:
    return url("monitoring_report", visit_report_id=report.pk)


def carried_over(user, report):
    """The site's action items still open from before this visit: they carry over to this report."""
    earlier = Q(report__isnull=True) | ~Q(report=report)
    return (
        selectors.action_items_for(user)
        .filter(earlier, study_site_id=report.study_site_id)
        .exclude(status="closed")
        .order_by("due_on", "number")
    )


def report_context(request, report) -> dict:
    user = request.user
    may_write = report.status in rules.EDITABLE and can_monitor_site(user, report.study_site)
    is_cra = Role.MONITOR in role_facts(user).roles_on_site(report.study_site_id)
    subjects_visible = can_see_subject_level(user, report.study_id)
    findings = list(selectors.findings_for(user).filter(report=report).order_by("number"))
    return {
        "report": report,
        "visit": report.visit,
        "study": report.study,
        "site": report.study_site,
        "sections": _answered_sections(report),
        "findings": findings,
        "subjects_hidden": not subjects_visible,
        "source_reviews": selectors.source_reviews_for(user).filter(report=report)
        if subjects_visible
        else [],
        "raised_here": selectors.action_items_for(user).filter(report=report).order_by("number"),
        "carried_over": carried_over(user, report),
        "signatures": report.signatures.select_related("signer").order_by("signed_at", "id"),
        "may_write": may_write,
        "may_submit": may_write and is_cra,
        "may_review": report.status == rules.SUBMITTED and can_manage_monitoring(user, report.study_id),
        "may_raise_issues": can_raise_issues(user, report.study_id),
        "nav": "portfolio",
    }


def _answered_sections(report):
    found: dict[str, list] = {}
    for question in rules.template(report.visit.visit_type):
        given = report.answers.get(question.key) or {}
        label = rules.section_label(question.section)
        found.setdefault(label, []).append(
            (question, rules.answer_label(given.get("answer", "")), given.get("comment", ""))
        )
    return list(found.items())


@login_required
def report_detail(request, visit_report_id):
    """The report; its CRA (or the CRM) saves answers and summary here while it is a draft or returned."""
    report = visible_report(request, visit_report_id)
    context = report_context(request, report)
    form = ReportForm(post_data(request), report=report) if context["may_write"] else None
    if request.method == "POST":
        require(can_monitor_site(request.user, report.study_site), ONLY_SITE_CRA)
        if form is None:
            messages.error(
                request,
                gettext("A %(status)s report cannot be changed.")
                % {"status": gettext(report.get_status_display()).lower()},
            )
            return redirect(_report_url(report))
        saved = submit(
            form,
            lambda f: services.update_report(
                report=report,
                by=request.user,
                answers=f.answers(),
                summary=f.cleaned_data["summary"],
                expected_version=f.cleaned_data.get("version"),
            ),
        )
        if saved is not None:
            messages.success(request, gettext("Report saved."))
            return redirect(_report_url(report))
    context |= {
        "form": form,
        "submit_form": SubmitForm(initial={"version": report.version}),
        "review_form": ReviewForm(initial={"version": report.version}),
    }
    return TemplateResponse(request, "monitoring/report_detail.html", context)


@login_required
def report_submit(request, visit_report_id):
    """The CRA signs (password) and submits; unanswered questions are named and nothing is saved."""
    report = visible_report(request, visit_report_id)
    require(can_monitor_site(request.user, report.study_site), ONLY_SITE_CRA)
    if refused := not_post(request):
        return refused
    form = SubmitForm(request.POST)
    done = submit(
        form,
        lambda f: services.submit_report(
            report=report,
            by=request.user,
            password=f.cleaned_data["password"],
            expected_version=f.cleaned_data.get("version"),
        ),
    )
    if done is not None:
        messages.success(request, gettext("Report signed and submitted to the CRM."))
        return redirect(_report_url(report))
    report.refresh_from_db()
    context = report_context(request, report) | {
        "form": ReportForm(report=report) if report.status in rules.EDITABLE else None,
        "submit_form": form,
        "review_form": ReviewForm(initial={"version": report.version}),
    }
    return TemplateResponse(request, "monitoring/report_detail.html", context, status=422)


@login_required
def report_review(request, visit_report_id):
    """The CRM approves (signing) or returns (with comments) a submitted report."""
    report = visible_report(request, visit_report_id)
    require(can_manage_monitoring(request.user, report.study_id), ONLY_REVIEWER)
    if refused := not_post(request):
        return refused
    form = ReviewForm(request.POST)

    def review(f):
        version = f.cleaned_data.get("version")
        if f.cleaned_data["decision"] == "approve":
            return services.approve_report(
                report=report, by=request.user, password=f.cleaned_data["password"], expected_version=version
            )
        return services.return_report(
            report=report, by=request.user, comments=f.cleaned_data["comments"], expected_version=version
        )

    done = submit(form, review)
    if done is not None:
        messages.success(
            request,
            gettext("Report approved and signed.")
            if done.status == rules.APPROVED
            else gettext("Report returned to the CRA."),
        )
        return redirect(_report_url(report))
    context = report_context(request, report) | {
        "form": None,
        "submit_form": SubmitForm(),
        "review_form": form,
    }
    return TemplateResponse(request, "monitoring/report_detail.html", context, status=422)


@login_required
def finding_create(request, visit_report_id):
    report = visible_report(request, visit_report_id)
    require(can_monitor_site(request.user, report.study_site), ONLY_SITE_CRA)
    form = FindingForm(
        post_data(request), instance=Finding(report=report, study=report.study, study_site=report.study_site)
    )
    return form_page(
        request,
        form,
        lambda f: services.add_finding(report=report, by=request.user, **f.changed_values()),
        title=gettext("New finding: %(report)s") % {"report": report},
        cancel_url=_report_url(report),
        done=lambda finding: _report_url(report),
        saved=gettext("Finding added."),
        study=report.study,
    )


def _visible_finding(request, finding_id) -> Finding:
    return get_object_or_404(
        selectors.findings_for(request.user).select_related("report__visit"), pk=finding_id
    )


@login_required
def finding_edit(request, finding_id):
    finding = _visible_finding(request, finding_id)
    require(can_monitor_site(request.user, finding.study_site), ONLY_SITE_CRA)
    form = FindingForm(post_data(request), instance=finding)
    return form_page(
        request,
        form,
        lambda f: services.update_finding(
            finding=finding,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change %(finding)s of the %(visit)s")
        % {"finding": finding, "visit": finding.report.visit},
        cancel_url=_report_url(finding.report),
        done=lambda f: _report_url(finding.report),
        saved=gettext("Finding saved."),
        study=finding.study,
    )


@login_required
def finding_deviation(request, finding_id):
    """Record the protocol deviation the finding shows (the visits app's deviations), linked to it."""
    finding = _visible_finding(request, finding_id)
    require(can_monitor_site(request.user, finding.study_site), ONLY_SITE_CRA)
    participants = (
        Participant.objects.visible_to(request.user).filter(study_site=finding.study_site).order_by("number")
    )
    form = FindingDeviationForm(
        post_data(request), participants=participants, initial={"occurred_on": finding.report.visit.visit_on}
    )
    return form_page(
        request,
        form,
        lambda f: services.record_finding_deviation(finding=finding, by=request.user, **f.values()),
        title=gettext("Record the deviation of %(finding)s") % {"finding": finding},
        cancel_url=_report_url(finding.report),
        done=lambda f: _report_url(finding.report),
        saved=gettext("Deviation recorded and linked to the finding."),
        study=finding.study,
    )


@login_required
def finding_issue(request, finding_id):
    """Raise an issue from a finding (for a CAPA)."""
    finding = _visible_finding(request, finding_id)
    require(
        can_raise_issues(request.user, finding.study_id)
        and can_monitor_site(request.user, finding.study_site),
        ONLY_SITE_CRA,
    )
    sites = StudySite.objects.filter(pk=finding.study_site_id)
    initial = {
        "study_site": finding.study_site,
        "title": gettext("Finding %(number)s: %(category)s")
        % {"number": finding.number, "category": gettext(finding.get_category_display())},
        "description": finding.description,
        "severity": finding.severity,
    }
    instance = Issue(study=finding.study, study_site=finding.study_site)
    form = IssueForm(post_data(request), instance=instance, study=finding.study, sites=sites, initial=initial)
    return form_page(
        request,
        form,
        lambda f: services.raise_issue(
            study=finding.study,
            by=request.user,
            source=IssueSource.FINDING,
            finding=finding,
            **f.changed_values(),
        ),
        title=gettext("Raise an issue from %(finding)s") % {"finding": finding},
        cancel_url=_report_url(finding.report),
        done=lambda issue: url("monitoring_issue", issue_id=issue.pk),
        saved=gettext("Issue raised."),
        study=finding.study,
    )


@login_required
def source_review_create(request, visit_report_id):
    report = visible_report(request, visit_report_id)
    require(can_monitor_site(request.user, report.study_site), ONLY_SITE_CRA)
    participants = (
        Participant.objects.visible_to(request.user).filter(study_site=report.study_site).order_by("number")
    )
    visits = (
        ScheduledVisit.objects.visible_to(request.user)
        .filter(participant__study_site=report.study_site, status="done")
        .select_related("participant", "definition")
    )
    form = SourceReviewForm(post_data(request), participants=participants, visits=visits)
    return form_page(
        request,
        form,
        lambda f: services.add_source_review(report=report, by=request.user, **f.values()),
        title=gettext("Source-verified or reviewed: %(report)s") % {"report": report},
        cancel_url=_report_url(report),
        done=lambda r: _report_url(report),
        saved=gettext("Recorded."),
        study=report.study,
    )


@login_required
def source_review_delete(request, source_review_id):
    review = get_object_or_404(
        selectors.source_reviews_for(request.user).select_related("report"), pk=source_review_id
    )
    require(can_monitor_site(request.user, review.study_site), ONLY_SITE_CRA)
    if refused := not_post(request):
        return refused
    return attempt(
        request,
        lambda: services.remove_source_review(
            review=review, by=request.user, reason=request.POST.get("reason", "")
        ),
        done=_report_url(review.report),
        saved=gettext("Removed."),
    )


@login_required
def report_action_item(request, visit_report_id):
    """Raise an action item at the visit (from one of the report's findings, or of its own)."""
    report = visible_report(request, visit_report_id)
    require(can_monitor_site(request.user, report.study_site), ONLY_SITE_CRA)
    instance = ActionItem(
        study=report.study,
        study_site=report.study_site,
        report=report,
        raised_on=report.study_site.local_today(),
    )
    form = ActionItemForm(
        post_data(request),
        instance=instance,
        study_site=report.study_site,
        findings=report.findings.all(),
        initial={"finding": request.GET.get("finding")},
    )
    return form_page(
        request,
        form,
        lambda f: services.raise_action_item(
            study_site=report.study_site, by=request.user, report=report, **f.changed_values()
        ),
        title=gettext("New action item: %(report)s") % {"report": report},
        cancel_url=_report_url(report),
        done=lambda item: _report_url(report),
        saved=gettext("Action item raised."),
        study=report.study,
    )


@login_required
@require_safe
def follow_up_letter(request, visit_report_id):
    """The follow-up letter to the site (PDF): the visit's findings and the site's open action items."""
    report = visible_report(request, visit_report_id)
    context = report_context(request, report)
    pdf = letters.follow_up_letter(
        report, findings=context["findings"], items=[*context["raised_here"], *context["carried_over"]]
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="follow-up-{report.study.code}-{report.study_site.site_number}-'
        f'{report.visit.visit_on:%Y%m%d}.pdf"'
    )
    return response
