"""Pages for a study's setup records: protocol versions, arms and milestones."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from trialdesk.core.forms import StatusChangeForm
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.views import form_page, post_data
from trialdesk.studies import rules, services
from trialdesk.studies.forms import (
    ArmForm,
    MilestoneForm,
    ProtocolVersionForm,
)
from trialdesk.studies.models import Arm, Milestone, ProtocolStatus, ProtocolVersion
from trialdesk.studies.views.study import tab_url, visible_study


@login_required
def protocol_version_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_study(request.user, study.pk))
    form = ProtocolVersionForm(post_data(request), instance=ProtocolVersion(study=study))
    return form_page(
        request,
        form,
        lambda f: services.create_protocol_version(study=study, by=request.user, **f.changed_values()),
        title=gettext("New protocol version for %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "protocol"),
        done=lambda v: tab_url(study, "protocol"),
        saved=gettext("Protocol version added."),
        study=study,
    )


def _visible_protocol_version(request, protocol_version_id) -> ProtocolVersion:
    return get_object_or_404(
        ProtocolVersion.objects.visible_to(request.user).select_related("study"), pk=protocol_version_id
    )


@login_required
def protocol_version_edit(request, protocol_version_id):
    version = _visible_protocol_version(request, protocol_version_id)
    require(can_manage_study(request.user, version.study_id))
    form = ProtocolVersionForm(post_data(request), instance=version)
    return form_page(
        request,
        form,
        lambda f: services.update_protocol_version(
            protocol_version=version,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(version)s") % {"version": version},
        cancel_url=tab_url(version.study, "protocol"),
        done=lambda v: tab_url(version.study, "protocol"),
        saved=gettext("Protocol version saved."),
        study=version.study,
    )


@login_required
def protocol_version_status(request, protocol_version_id):
    version = _visible_protocol_version(request, protocol_version_id)
    require(can_manage_study(request.user, version.study_id))
    form = StatusChangeForm(
        post_data(request),
        statuses=ProtocolStatus.choices,
        allowed=rules.PROTOCOL_TRANSITIONS.get(version.status, ()),
        record_version=version.version,
    )
    return form_page(
        request,
        form,
        lambda f: services.change_protocol_status(
            protocol_version=version,
            to=f.cleaned_data["to"],
            on=f.cleaned_data["on"],
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change the status of %(version)s") % {"version": version},
        cancel_url=tab_url(version.study, "protocol"),
        done=lambda v: tab_url(version.study, "protocol"),
        saved=gettext("Protocol version status changed."),
        study=version.study,
        current_status=version.get_status_display(),
    )


@login_required
def arm_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_study(request.user, study.pk))
    form = ArmForm(post_data(request), instance=Arm(study=study))
    return form_page(
        request,
        form,
        lambda f: services.create_arm(study=study, by=request.user, **f.changed_values()),
        title=gettext("New arm for %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "arms"),
        done=lambda arm: tab_url(study, "arms"),
        saved=gettext("Arm added."),
        study=study,
    )


@login_required
def arm_edit(request, arm_id):
    arm = get_object_or_404(Arm.objects.visible_to(request.user).select_related("study"), pk=arm_id)
    require(can_manage_study(request.user, arm.study_id))
    form = ArmForm(post_data(request), instance=arm)
    return form_page(
        request,
        form,
        lambda f: services.update_arm(
            arm=arm,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit arm %(arm)s") % {"arm": arm},
        cancel_url=tab_url(arm.study, "arms"),
        done=lambda a: tab_url(arm.study, "arms"),
        saved=gettext("Arm saved."),
        study=arm.study,
    )


@login_required
def milestone_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_study(request.user, study.pk))
    form = MilestoneForm(post_data(request), instance=Milestone(study=study), user=request.user, study=study)
    return form_page(
        request,
        form,
        lambda f: services.create_milestone(study=study, by=request.user, **f.changed_values()),
        title=gettext("New milestone for %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "milestones"),
        done=lambda m: tab_url(study, "milestones"),
        saved=gettext("Milestone added."),
        study=study,
    )


@login_required
def milestone_edit(request, milestone_id):
    milestone = get_object_or_404(
        Milestone.objects.visible_to(request.user).select_related("study", "study_site__institution"),
        pk=milestone_id,
    )
    study = milestone.study
    require(can_manage_study(request.user, study.pk))
    form = MilestoneForm(post_data(request), instance=milestone, user=request.user, study=study)
    return form_page(
        request,
        form,
        lambda f: services.update_milestone(
            milestone=milestone,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit milestone: %(label)s") % {"label": milestone.label},
        cancel_url=tab_url(study, "milestones"),
        done=lambda m: tab_url(study, "milestones"),
        saved=gettext("Milestone saved."),
        study=study,
    )
