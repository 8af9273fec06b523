"""Pages for a study's consent versions and their site approvals, and its diversity plan."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import ReasonForm
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion
from trialdesk.studies.pages import tab_url
from trialdesk.studies.selectors import studies_for
from trialdesk.subjects import selectors, services
from trialdesk.subjects.forms import (
    ConsentApprovalForm,
    ConsentVersionForm,
    DiversityTargetForm,
)
from trialdesk.subjects.models import (
    ConsentVersion,
    DiversityTarget,
)
from trialdesk.subjects.permissions import can_manage_consent_versions
from trialdesk.subjects.services.consent import CRM_ONLY
from trialdesk.subjects.services.diversity import CRM_ONLY as PLAN_CRM_ONLY
from trialdesk.subjects.views.scope import (
    version_url,
    visible_target,
    visible_version,
)

# --- consent versions and their approvals -----------------------------------------------------


@login_required
def consent_version_create(request, study_id):
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    require(can_manage_consent_versions(request.user, study.pk), CRM_ONLY)
    form = ConsentVersionForm(
        post_data(request),
        instance=ConsentVersion(study=study),
        protocol_versions=ProtocolVersion.objects.filter(study=study),
    )
    return form_page(
        request,
        form,
        lambda f: services.create_consent_version(study=study, by=request.user, **f.changed_values()),
        title=gettext("New consent version for %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "consent"),
        done=version_url,
        saved=gettext("Consent version added. Record each site's ethics approval before the site uses it."),
        study=study,
    )


@login_required
@require_safe
def consent_version_detail(request, consent_version_id):
    version = visible_version(request, consent_version_id)
    may_manage = can_manage_consent_versions(request.user, version.study_id)
    context = {
        "version": version,
        "study": version.study,
        "approvals": selectors.approvals_for(request.user, version),
        "may_manage": may_manage,
        "approval_form": _approval_form(request, version) if may_manage else None,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "subjects/consent_version_detail.html", context)


@login_required
def consent_version_edit(request, consent_version_id):
    version = visible_version(request, consent_version_id)
    require(can_manage_consent_versions(request.user, version.study_id), CRM_ONLY)
    form = ConsentVersionForm(
        post_data(request),
        instance=version,
        protocol_versions=ProtocolVersion.objects.filter(study_id=version.study_id),
    )
    return form_page(
        request,
        form,
        lambda f: services.update_consent_version(
            consent_version=version,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(version)s") % {"version": version},
        cancel_url=version_url(version),
        done=version_url,
        saved=gettext("Consent version saved."),
        study=version.study,
    )


def _approval_form(request, version: ConsentVersion) -> ConsentApprovalForm:
    sites = StudySite.objects.visible_to(request.user).filter(study_id=version.study_id)
    sites = sites.exclude(consent_approvals__consent_version=version).select_related("institution")
    return ConsentApprovalForm(post_data(request), sites=sites.order_by("site_number"))


@login_required
def consent_approval_create(request, consent_version_id):
    """Record a site's ethics approval of a consent version."""
    version = visible_version(request, consent_version_id)
    require(can_manage_consent_versions(request.user, version.study_id), CRM_ONLY)
    return form_page(
        request,
        _approval_form(request, version),
        lambda f: services.record_consent_approval(
            consent_version=version, by=request.user, **f.cleaned_data
        ),
        title=gettext("Record a site's ethics approval of %(version)s") % {"version": version},
        cancel_url=version_url(version),
        done=lambda approval: version_url(version),
        saved=gettext("Ethics approval recorded."),
        study=version.study,
    )


# --- diversity plan ---------------------------------------------------------------------------


@login_required
def diversity_target_create(request, study_id):
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    require(can_manage_consent_versions(request.user, study.pk), PLAN_CRM_ONLY)
    return form_page(
        request,
        DiversityTargetForm(post_data(request), instance=DiversityTarget(study=study)),
        lambda f: services.create_diversity_target(study=study, by=request.user, **f.changed_values()),
        title=gettext("New diversity target for %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "diversity"),
        done=lambda t: tab_url(study, "diversity"),
        saved=gettext("Diversity target added."),
        study=study,
    )


@login_required
def diversity_target_edit(request, diversity_target_id):
    target = visible_target(request, diversity_target_id)
    require(can_manage_consent_versions(request.user, target.study_id), PLAN_CRM_ONLY)
    return form_page(
        request,
        DiversityTargetForm(post_data(request), instance=target),
        lambda f: services.update_diversity_target(
            diversity_target=target,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit diversity target: %(target)s") % {"target": target},
        cancel_url=tab_url(target.study, "diversity"),
        done=lambda t: tab_url(target.study, "diversity"),
        saved=gettext("Diversity target saved."),
        study=target.study,
    )


@login_required
def diversity_target_delete(request, diversity_target_id):
    target = visible_target(request, diversity_target_id)
    require(can_manage_consent_versions(request.user, target.study_id), PLAN_CRM_ONLY)
    return form_page(
        request,
        ReasonForm(post_data(request)),
        lambda f: (
            services.delete_diversity_target(
                diversity_target=target, by=request.user, reason=f.cleaned_data["reason"]
            )
            or target
        ),
        title=gettext("Remove diversity target: %(target)s") % {"target": target},
        cancel_url=tab_url(target.study, "diversity"),
        done=lambda t: tab_url(target.study, "diversity"),
        saved=gettext("Diversity target removed."),
        study=target.study,
    )
