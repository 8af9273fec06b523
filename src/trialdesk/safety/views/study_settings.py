"""Pages of a study's safety settings, committee reporting policies, protocol exemptions from the 24-hour
report and reference safety information."""

from zoneinfo import available_timezones

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.safety import selectors, services
from trialdesk.safety.forms import (
    CommitteePolicyForm,
    ProtocolExemptionForm,
    ReferenceSafetyInformationForm,
    SafetySettingsForm,
)
from trialdesk.safety.models import (
    CommitteeReportingPolicy,
    ProtocolReportingExemption,
    ReferenceSafetyInformation,
)
from trialdesk.safety.permissions import can_oversee_safety
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import visible_study

# Study safety settings -----------------------------------------------------------------------------------


def _safety_tab(study) -> str:
    return f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=safety"


@login_required
def safety_settings_edit(request, study_id):
    """The study's sponsor time zone, product type, site → sponsor limit, jurisdictions and DSUR date."""
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    form = SafetySettingsForm(post_data(request), instance=selectors.settings_of(study))
    return form_page(
        request,
        form,
        lambda f: services.save_safety_settings(
            study=study,
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
            **f.changed_values(),
        ),
        title=gettext("Safety settings of %(code)s") % {"code": study.code},
        cancel_url=_safety_tab(study),
        done=lambda s: _safety_tab(study),
        saved=gettext("Safety settings saved; events recorded from now on use them."),
        study=study,
        time_zones=sorted(available_timezones()),
        nav="portfolio",
    )


@login_required
def committee_policy_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    form = CommitteePolicyForm(
        post_data(request), sites=sites, instance=CommitteeReportingPolicy(study=study)
    )
    return form_page(
        request,
        form,
        lambda f: services.add_committee_policy(study=study, by=request.user, **f.changed_values()),
        title=gettext("New ethics committee / IRB reporting policy in %(code)s") % {"code": study.code},
        cancel_url=_safety_tab(study),
        done=lambda p: _safety_tab(study),
        saved=gettext("Committee policy added; events recorded from now on report under it."),
        study=study,
        nav="portfolio",
    )


@login_required
def reference_safety_information_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    form = ReferenceSafetyInformationForm(
        post_data(request), instance=ReferenceSafetyInformation(study=study)
    )
    return form_page(
        request,
        form,
        lambda f: services.add_reference_safety_information(
            study=study, by=request.user, **f.changed_values()
        ),
        title=gettext("New reference safety information version in %(code)s") % {"code": study.code},
        cancel_url=_safety_tab(study),
        done=lambda r: _safety_tab(study),
        saved=gettext("Reference safety information added."),
        study=study,
        nav="portfolio",
    )


@login_required
def protocol_exemption_create(request, study_id):
    """A kind of serious event the protocol exempts from the 24-hour site → sponsor report (CTR Art 41(2))."""
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    form = ProtocolExemptionForm(post_data(request), instance=ProtocolReportingExemption(study=study))
    return form_page(
        request,
        form,
        lambda f: services.add_protocol_exemption(study=study, by=request.user, **f.changed_values()),
        title=gettext("New protocol exemption from the 24-hour report in %(code)s") % {"code": study.code},
        cancel_url=_safety_tab(study),
        done=lambda e: _safety_tab(study),
        saved=gettext("Exemption recorded; events of that kind recorded from now on use its limit."),
        study=study,
        nav="portfolio",
    )
