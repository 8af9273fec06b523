"""Pages of recruitment: criteria (create, edit, confirm, delete, import), the retention period, a site's
pre-screening pool with its upload, and a candidate's explained results with the approach to screening.
Thin: look up in scope (404 outside), check who may write (403), call a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.interop.eligibility import candidates as candidate_files
from trialdesk.recruitment import selectors, services
from trialdesk.recruitment.forms import (
    ApproachForm,
    CandidateFileForm,
    CriteriaTextForm,
    CriterionForm,
    RetentionForm,
)
from trialdesk.recruitment.models import (
    Candidate,
    CandidateStatus,
    EligibilityCriterion,
    PrescreeningPolicy,
)
from trialdesk.recruitment.permissions import can_manage_criteria, can_see_pool, can_work_pool
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import tab_url, visible_study


def _tab_url(study_id) -> str:
    return tab_url(study_id, "eligibility")


def _criterion(request, criterion_id) -> EligibilityCriterion:
    found = EligibilityCriterion.objects.visible_to(request.user).select_related("study")
    return get_object_or_404(found, pk=criterion_id)


@login_required
def criterion_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_criteria(request.user, study.pk), services.STUDY_TEAM_ONLY)
    form = CriterionForm(post_data(request), instance=EligibilityCriterion(study=study))
    return form_page(
        request,
        form,
        lambda f: services.create_criterion(study=study, by=request.user, **f.changed_values()),
        title=gettext("New eligibility criterion · %(code)s") % {"code": study.code},
        cancel_url=_tab_url(study.pk),
        done=lambda criterion: _tab_url(study.pk),
        saved=gettext("Criterion added."),
        study=study,
    )


@login_required
def criterion_edit(request, criterion_id):
    criterion = _criterion(request, criterion_id)
    require(can_manage_criteria(request.user, criterion.study_id), services.STUDY_TEAM_ONLY)
    form = CriterionForm(post_data(request), instance=criterion)
    return form_page(
        request,
        form,
        lambda f: services.update_criterion(
            criterion=criterion,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Criterion %(label)s · %(code)s")
        % {"label": criterion.label, "code": criterion.study.code},
        cancel_url=_tab_url(criterion.study_id),
        done=lambda saved: _tab_url(saved.study_id),
        saved=gettext("Criterion saved; the pools were screened again."),
        study=criterion.study,
    )


@login_required
def criterion_confirm(request, criterion_id):
    criterion = _criterion(request, criterion_id)  # 404 outside the study before anything else
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(can_manage_criteria(request.user, criterion.study_id), services.STUDY_TEAM_ONLY)
    services.confirm_rule(criterion=criterion, by=request.user)
    messages.success(
        request,
        gettext("Rule of %(label)s confirmed; the pools were screened again.") % {"label": criterion.label},
    )
    return redirect(_tab_url(criterion.study_id))


@login_required
def criteria_import(request, study_id):
    """Paste a criteria text (or take the study's ClinicalTrials.gov record): items with suggested rules."""
    study = visible_study(request, study_id)
    require(can_manage_criteria(request.user, study.pk), services.STUDY_TEAM_ONLY)
    made = None
    if request.method == "POST" and request.POST.get("source") == "registry":
        form = CriteriaTextForm()
        try:
            made = services.import_registry_criteria(study=study, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("recruitment_criteria_import", study_id=study.pk)
    else:
        form = CriteriaTextForm(post_data(request))
        if request.method == "POST":
            made = submit(
                form,
                lambda f: services.import_criteria_text(
                    study=study, text=f.cleaned_data["text"], by=request.user
                ),
            )
    if made is not None:
        suggested = sum(1 for c in made if c.rule and not c.rule_confirmed)
        messages.success(
            request,
            ngettext(
                "%(count)s criterion imported, %(suggested)s with a suggested rule to confirm.",
                "%(count)s criteria imported, %(suggested)s with a suggested rule to confirm.",
                len(made),
            )
            % {"count": len(made), "suggested": suggested},
        )
        return redirect(_tab_url(study.pk))
    context = {"study": study, "form": form, "has_registry_record": hasattr(study, "registry_record")}
    return TemplateResponse(request, "recruitment/criteria_import.html", context)


@login_required
def retention_edit(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_criteria(request.user, study.pk), services.STUDY_TEAM_ONLY)
    policy = PrescreeningPolicy.objects.filter(study=study).first() or PrescreeningPolicy(study=study)
    form = RetentionForm(post_data(request), instance=policy)
    return form_page(
        request,
        form,
        lambda f: services.set_retention(
            study=study,
            retention_days=f.cleaned_data["retention_days"],
            by=request.user,
            reason=f.reason_given(),
        ),
        title=gettext("Retention of pre-screening data · %(code)s") % {"code": study.code},
        cancel_url=_tab_url(study.pk),
        done=lambda saved: _tab_url(study.pk),
        saved=gettext("Retention period saved."),
        study=study,
    )


@login_required
def site_pool(request, study_site_id):
    """A site's pre-screening: counts by status for everyone who sees the site; the candidates and the
    upload for its staff and the study's CRM."""
    site = get_object_or_404(
        StudySite.objects.visible_to(request.user).select_related("study", "institution"), pk=study_site_id
    )
    may_work = can_work_pool(request.user, site)
    if request.method == "POST":
        require(may_work, services.POOL_STAFF_ONLY)
    form = CandidateFileForm(request.POST or None, request.FILES or None) if may_work else None
    if request.method == "POST":
        upload = submit(
            form,
            lambda f: services.upload_candidates(
                study_site=site,
                by=request.user,
                file_name=f.cleaned_data["file"].name,
                content=f.cleaned_data["file"].read(),
            ),
        )
        if upload is not None:
            messages.success(
                request,
                ngettext(
                    "%(count)s candidate added from %(file)s and screened.",
                    "%(count)s candidates added from %(file)s and screened.",
                    upload.candidate_count,
                )
                % {"count": upload.candidate_count, "file": upload.file_name},
            )
            return redirect("recruitment_site_pool", study_site_id=site.pk)
    context = {
        "site": site,
        "study": site.study,
        "counts": selectors.counts_by_site([site])[0],
        "form": form,
        "may_see": can_see_pool(request.user, site),
        "statuses": CandidateStatus.choices,
        "status": request.GET.get("status", ""),
        "order": request.GET.get("order", "key"),
    }
    context["flip"] = {c: f"-{c}" if context["order"] == c else c for c in ("key", "status", "screened")}
    pool = selectors.pool_for(request.user, site) if context["may_see"] else None
    context["page"] = (
        paginate(
            selectors.candidates_for(request.user, pool, status=context["status"], order=context["order"]),
            request,
        )
        if pool
        else None
    )
    context["uploads"] = pool.uploads.all()[:20] if pool else []
    partial = "recruitment/partials/candidates.html"
    return TemplateResponse(
        request, partial if wants_partial(request) else "recruitment/site_pool.html", context
    )


@require_safe
def pool_template(request, study_site_id):
    """The CSV template of candidates (a header and one made-up example row), as the upload reads it."""
    get_object_or_404(StudySite.objects.visible_to(request.user), pk=study_site_id)
    response = HttpResponse(candidate_files.CSV_TEMPLATE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidates-template.csv"'
    return response


def _candidate(request, candidate_id) -> Candidate:
    found = Candidate.objects.visible_to(request.user).select_related(
        "pool__study_site__study", "pool__study_site__institution", "screening_entry"
    )
    return get_object_or_404(found, pk=candidate_id)


@login_required
def candidate_detail(request, candidate_id):
    """A candidate's explained results per criterion, and the approach to the screening log."""
    candidate = _candidate(request, candidate_id)
    site = candidate.pool.study_site
    may_work = can_work_pool(request.user, site)
    if request.method == "POST":
        require(may_work, services.POOL_STAFF_ONLY)
    form = ApproachForm(post_data(request), initial={"screened_on": site.local_today()}) if may_work else None
    if request.method == "POST":
        done = submit(
            form,
            lambda f: services.approach_candidate(
                candidate=candidate,
                by=request.user,
                screening_number=f.cleaned_data["screening_number"],
                screened_on=f.cleaned_data.get("screened_on"),
            ),
        )
        if done is not None:
            messages.success(
                request,
                gettext("Candidate %(key)s added to the screening log as %(number)s.")
                % {"key": candidate.key, "number": done.screening_entry.screening_number},
            )
            return redirect("recruitment_candidate", candidate_id=candidate.pk)
    context = {
        "candidate": candidate,
        "site": site,
        "study": site.study,
        "form": form if not candidate.screening_entry_id else None,
    }
    return TemplateResponse(request, "recruitment/candidate.html", context)
