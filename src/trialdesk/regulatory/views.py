"""Pages of the regulatory app: the committee directory, submission and decision forms, amendment actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import (
    can_manage_institutions,
    can_manage_study,
    can_work_at_some_site,
    require,
)
from trialdesk.core.views import form_page, post_data
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.forms import (
    CommitteeForm,
    DecisionForm,
    StartAmendmentForm,
    SubmissionForm,
    TickItemForm,
)
from trialdesk.regulatory.models import AmendmentImplementation, Submission
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion
from trialdesk.studies.pages import tab_url, visible_study

# Committee directory ----------------------------------------------------------------------------------


@login_required
@require_safe
def committee_list(request):
    committees = selectors.committees_for(request.user)
    country = request.GET.get("country", "").strip().upper()
    if country:
        committees = committees.filter(country=country)
    context = {
        "page": paginate(committees, request),
        "country": country,
        "may_edit": can_manage_institutions(request.user),
        "nav": "committees",
    }
    return TemplateResponse(request, "regulatory/committee_list.html", context)


@login_required
def committee_create(request):
    require(can_manage_institutions(request.user), services.ONLY_DIRECTORY_KEEPERS)
    form = CommitteeForm(post_data(request))
    return form_page(
        request,
        form,
        lambda f: services.create_committee(by=request.user, **f.changed_values()),
        title=gettext("New ethics committee"),
        cancel_url=reverse("committee_list"),
        done=lambda c: reverse("committee_list"),
        saved=gettext("Committee added to the directory."),
        nav="committees",
    )


@login_required
def committee_edit(request, ethics_committee_id):
    committee = get_object_or_404(selectors.committees_for(request.user), pk=ethics_committee_id)
    require(can_manage_institutions(request.user), services.ONLY_DIRECTORY_KEEPERS)
    form = CommitteeForm(post_data(request), instance=committee)
    return form_page(
        request,
        form,
        lambda f: services.update_committee(
            committee=committee,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(name)s") % {"name": committee.name},
        cancel_url=reverse("committee_list"),
        done=lambda c: reverse("committee_list"),
        saved=gettext("Committee changed."),
        nav="committees",
    )


# Submissions ------------------------------------------------------------------------------------------


@login_required
def submission_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_work_at_some_site(request.user, study.pk), services.ONLY_SUBMITTERS)
    sites = StudySite.objects.visible_to(request.user).filter(study=study).select_related("institution")
    form = SubmissionForm(
        post_data(request),
        study=study,
        sites=sites,
        committees=selectors.committees_for(request.user),
        protocol_versions=ProtocolVersion.objects.visible_to(request.user).filter(study=study),
    )
    return form_page(
        request,
        form,
        lambda f: services.create_submission(study=study, by=request.user, **f.changed_values()),
        title=gettext("New submission for %(code)s") % {"code": study.code},
        cancel_url=tab_url(study.pk, "regulatory"),
        done=lambda s: tab_url(study.pk, "regulatory"),
        saved=gettext("Submission recorded."),
        study=study,
    )


@login_required
def submission_decision(request, submission_id):
    submissions = Submission.objects.visible_to(request.user).select_related(
        "study_site__institution", "study"
    )
    submission = get_object_or_404(submissions, pk=submission_id)
    require(
        services.may_record_submission(
            request.user, study_id=submission.study_id, study_site=submission.study_site
        ),
        services.ONLY_SUBMITTERS,
    )
    initial = {
        "outcome": submission.outcome,
        "decided_on": submission.decided_on,
        "expires_on": submission.expires_on,
        "conditions": submission.conditions,
        "regulated_by": submission.regulated_by,
        "continuing_review_exemption": submission.continuing_review_exemption,
        "version": submission.version,
    }
    form = DecisionForm(post_data(request), initial=initial)
    return form_page(
        request,
        form,
        lambda f: services.record_decision(
            submission=submission,
            outcome=f.cleaned_data["outcome"],
            decided_on=f.cleaned_data["decided_on"],
            expires_on=f.cleaned_data["expires_on"],
            conditions=f.cleaned_data["conditions"],
            regulated_by=f.cleaned_data["regulated_by"],
            continuing_review_exemption=f.cleaned_data["continuing_review_exemption"],
            by=request.user,
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data["version"],
        ),
        title=gettext("Decision on the %(submission)s") % {"submission": submission},
        cancel_url=tab_url(submission.study_id, "regulatory"),
        done=lambda s: tab_url(submission.study_id, "regulatory"),
        saved=gettext("Decision recorded."),
        study=submission.study,
    )


# Amendments -------------------------------------------------------------------------------------------


@login_required
def amendment_start(request, protocol_version_id):
    versions = ProtocolVersion.objects.visible_to(request.user).select_related("study")
    version = get_object_or_404(versions, pk=protocol_version_id)
    require(can_manage_study(request.user, version.study_id), services.ONLY_STUDY_MANAGERS)
    form = StartAmendmentForm(post_data(request))
    return form_page(
        request,
        form,
        lambda f: services.start_amendment(version, request.user, **f.cleaned_data),
        title=gettext("Implement protocol v%(number)s of %(code)s at its sites")
        % {"number": version.number, "code": version.study.code},
        cancel_url=tab_url(version.study_id, "amendments"),
        done=lambda i: tab_url(version.study_id, "amendments"),
        saved=gettext("Implementation of protocol v%(number)s started: every site has its checklist.")
        % {"number": version.number},
        study=version.study,
    )


@login_required
def amendment_tick(request, amendment_id):
    implementations = AmendmentImplementation.objects.visible_to(request.user).select_related(
        "study", "protocol_version"
    )
    implementation = get_object_or_404(implementations, pk=amendment_id)
    require(can_work_at_some_site(request.user, implementation.study_id), services.ONLY_SITE_WORKERS)
    sites = (
        StudySite.objects.visible_to(request.user)
        .filter(study_id=implementation.study_id)
        .select_related("institution")
    )
    initial = {"study_site": request.GET.get("site"), "item": request.GET.get("item")}
    form = TickItemForm(post_data(request), sites=sites, initial=initial)
    return form_page(
        request,
        form,
        lambda f: services.tick_amendment_item(
            implementation=implementation, by=request.user, **f.cleaned_data
        ),
        title=gettext("Tick an item of protocol v%(number)s's checklist")
        % {"number": implementation.protocol_version.number},
        cancel_url=tab_url(implementation.study_id, "amendments"),
        done=lambda t: tab_url(implementation.study_id, "amendments"),
        saved=gettext("Checklist item ticked."),
        study=implementation.study,
    )


@login_required
def amendment_deviations(request, amendment_id):
    """Record the deviations of visits done under the amendment's schedule before the site's approval."""
    implementation = get_object_or_404(
        AmendmentImplementation.objects.visible_to(request.user), pk=amendment_id
    )
    if request.method != "POST":
        return redirect(tab_url(implementation.study_id, "amendments"))
    require(can_manage_study(request.user, implementation.study_id), services.ONLY_STUDY_MANAGERS)
    recorded = services.record_unapproved_version_deviations(implementation=implementation, by=request.user)
    messages.success(
        request,
        ngettext("%(count)s deviation recorded.", "%(count)s deviations recorded.", len(recorded))
        % {"count": len(recorded)},
    )
    return redirect(tab_url(implementation.study_id, "amendments"))
