"""Pages for a site's screening log, consent and enrollment, and the participant page with its forms
(consent, withdrawal, status, demographics). Thin: look up in scope, call a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core import extensions
from trialdesk.core.forms import StatusChangeForm, submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.sites.models import StudySite
from trialdesk.subjects import rules, selectors, services
from trialdesk.subjects.forms import (
    ConsentForm,
    DemographicsForm,
    EnrollmentForm,
    ScreeningEntryForm,
    WithdrawalForm,
)
from trialdesk.subjects.models import (
    ConsentVersion,
    Participant,
    ParticipantStatus,
    ScreeningEntry,
)
from trialdesk.subjects.permissions import can_record_participant_data
from trialdesk.subjects.services.screening import SITE_STAFF_ONLY
from trialdesk.subjects.views.scope import (
    participant_url,
    screening_log_url,
    visible_entry,
    visible_participant,
    visible_site,
)

# --- screening log ----------------------------------------------------------------------------


@login_required
def screening_log(request, study_site_id):
    """A site's screening log; its staff add a person screened with the form above the list."""
    site = visible_site(request, study_site_id)
    may_record = can_record_participant_data(request.user, site)
    if request.method == "POST":
        require(may_record, SITE_STAFF_ONLY)
    form = None
    if may_record:
        instance = ScreeningEntry(study=site.study, study_site=site)
        form = ScreeningEntryForm(
            post_data(request), instance=instance, initial={"screened_on": site.local_today()}
        )
    if request.method == "POST":
        entry = submit(
            form,
            lambda f: services.create_screening_entry(study_site=site, by=request.user, **f.changed_values()),
        )
        if entry is not None:
            messages.success(request, gettext("%(entry)s added to the screening log.") % {"entry": entry})
            return redirect(screening_log_url(site))
    context = {
        "site": site,
        "study": site.study,
        "page": paginate(selectors.screening_entries_for(request.user, site), request),
        "form": form,
        "may_record": may_record,
        "nav": "portfolio",
    }
    partial = "subjects/partials/screening_table.html"
    return TemplateResponse(
        request, partial if wants_partial(request) else "subjects/screening_log.html", context
    )


@login_required
def screening_entry_edit(request, screening_entry_id):
    entry = visible_entry(request, screening_entry_id)
    require(can_record_participant_data(request.user, entry.study_site), SITE_STAFF_ONLY)
    return form_page(
        request,
        ScreeningEntryForm(post_data(request), instance=entry),
        lambda f: services.update_screening_entry(
            screening_entry=entry,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(entry)s at site %(number)s")
        % {"entry": entry, "number": entry.study_site.site_number},
        cancel_url=screening_log_url(entry.study_site),
        done=lambda e: screening_log_url(entry.study_site),
        saved=gettext("Screening entry saved."),
        study=entry.study,
    )


def _consent_form(request, site: StudySite) -> ConsentForm:
    """The versions approved at the site (the service refuses one replaced there); the one in use chosen."""
    versions = ConsentVersion.objects.filter(study_id=site.study_id, approvals__study_site=site)
    in_use = selectors.current_versions_at(site, on=site.local_today()).order_by("language").first()
    form = ConsentForm(post_data(request), versions=versions.order_by("language", "-effective_on"), site=site)
    form.initial.setdefault("consent_version", in_use.pk if in_use else None)
    return form


@login_required
def screening_consent(request, screening_entry_id):
    """Record the consent a screened person signed (before enrollment)."""
    entry = visible_entry(request, screening_entry_id)
    require(can_record_participant_data(request.user, entry.study_site), SITE_STAFF_ONLY)
    return form_page(
        request,
        _consent_form(request, entry.study_site),
        lambda f: services.record_consent(screening_entry=entry, by=request.user, **f.consent()),
        title=gettext("Record consent for %(entry)s") % {"entry": entry},
        cancel_url=screening_log_url(entry.study_site),
        done=lambda c: screening_log_url(entry.study_site),
        saved=gettext("Consent recorded."),
        study=entry.study,
    )


@login_required
def enroll(request, screening_entry_id):
    """Enroll a person who passed screening; a refusal names its reason above the form."""
    entry = visible_entry(request, screening_entry_id)
    site = entry.study_site
    require(can_record_participant_data(request.user, site), SITE_STAFF_ONLY)
    next_number, _ = selectors.next_participant_number(entry.study, site)
    return form_page(
        request,
        EnrollmentForm(post_data(request), site=site, next_number=next_number),
        lambda f: services.enroll_participant(screening_entry=entry, by=request.user, **f.enrollment()),
        title=gettext("Enroll %(entry)s at site %(number)s") % {"entry": entry, "number": site.site_number},
        cancel_url=screening_log_url(site),
        done=participant_url,
        saved=gettext("Participant enrolled."),
        study=entry.study,
    )


# --- participants -----------------------------------------------------------------------------


def _status_form(request, participant: Participant) -> StatusChangeForm:
    form = StatusChangeForm(
        post_data(request),
        statuses=ParticipantStatus.choices,
        allowed=rules.allowed_status_changes(participant.status),
        record_version=participant.version,
    )
    form.service_fields = {"status": "to"}
    return form


@login_required
@require_safe
def participant_detail(request, participant_id):
    participant = visible_participant(request, participant_id)
    site = participant.study_site
    consents = list(selectors.consents_for(request.user, participant))
    withdrawals = list(selectors.withdrawals_for(request.user, participant))
    history = sorted(
        [(c.signed_at.astimezone(site.zone).date(), "consent", c) for c in consents]
        + [(w.withdrawn_on, "withdrawal", w) for w in withdrawals],
        key=lambda row: (row[0], row[1] == "withdrawal"),
    )
    context = {
        "participant": participant,
        "study": participant.study,
        "site": site,
        "history": history,
        "reconsent": selectors.reconsent_due(participant, on=site.local_today()),
        "may_record": can_record_participant_data(request.user, site),
        "status_form": _status_form(request, participant),
        # The other apps' pages about this participant (visits, randomization), as they register them.
        "page_links": [
            (link.label, reverse(link.url_name, kwargs={"participant_id": participant.pk}))
            for link in extensions.participant_links
        ],
        "nav": "portfolio",
    }
    return TemplateResponse(request, "subjects/participant_detail.html", context)


def _participant_form_page(request, participant, form, save, *, title: str, saved: str):
    require(can_record_participant_data(request.user, participant.study_site), SITE_STAFF_ONLY)
    url = participant_url(participant)
    return form_page(
        request,
        form,
        save,
        title=gettext("%(title)s — participant %(number)s") % {"title": title, "number": participant.number},
        cancel_url=url,
        done=lambda record: url,
        saved=saved,
        study=participant.study,
    )


@login_required
def participant_consent(request, participant_id):
    """Record a consent signed by a participant, e.g. re-consent on a new version."""
    participant = visible_participant(request, participant_id)
    require(can_record_participant_data(request.user, participant.study_site), SITE_STAFF_ONLY)
    return _participant_form_page(
        request,
        participant,
        _consent_form(request, participant.study_site),
        lambda f: services.record_consent(participant=participant, by=request.user, **f.consent()),
        title=gettext("Record consent"),
        saved=gettext("Consent recorded."),
    )


@login_required
def participant_withdrawal(request, participant_id):
    participant = visible_participant(request, participant_id)
    require(can_record_participant_data(request.user, participant.study_site), SITE_STAFF_ONLY)
    return _participant_form_page(
        request,
        participant,
        WithdrawalForm(post_data(request), site=participant.study_site),
        lambda f: services.withdraw_consent(participant=participant, by=request.user, **f.cleaned_data),
        title=gettext("Withdrawal of consent"),
        saved=gettext("Withdrawal recorded."),
    )


@login_required
def participant_status(request, participant_id):
    """GET: the allowed next statuses; POST `to`, `on` and `reason`: the service refuses a move not allowed.

    The reason is kept as the end reason when the participant leaves early.
    """
    participant = visible_participant(request, participant_id)
    require(can_record_participant_data(request.user, participant.study_site), SITE_STAFF_ONLY)
    return _participant_form_page(
        request,
        participant,
        _status_form(request, participant),
        lambda f: services.change_participant_status(
            participant=participant,
            to=f.cleaned_data["to"],
            on=f.cleaned_data["on"],
            reason=f.reason_given(),
            by=request.user,
            expected_version=f.expected_version,
        ),
        title=gettext("Change status"),
        saved=gettext("Participant status changed."),
    )


@login_required
def participant_demographics(request, participant_id):
    participant = visible_participant(request, participant_id)
    require(can_record_participant_data(request.user, participant.study_site), SITE_STAFF_ONLY)
    return _participant_form_page(
        request,
        participant,
        DemographicsForm(post_data(request), instance=participant),
        lambda f: services.update_participant(
            participant=participant,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Demographics"),
        saved=gettext("Demographics saved."),
    )
