"""Pages of the privacy app (issue 20): the data protection overview of the reader's studies, a study's
settings, purposes, safeguards, legal holds, request log and identifier scan, and each request's page with
the person's export (JSON, PDF). Thin: a study the reader may not see is 404, a study whose privacy
records they may not read 403; every write goes through privacy.services."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.models import User
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.privacy import access, register, scan
from trialdesk.privacy.forms import (
    CloseForm,
    ExtendForm,
    HoldForm,
    LiftForm,
    PurposeForm,
    RequestForm,
    SafeguardForm,
    StudyPrivacyForm,
)
from trialdesk.privacy.models import DataSubjectRequest, LegalHold, StudyPrivacy
from trialdesk.privacy.permissions import ONLY_KEEPERS, can_keep_privacy, can_read_privacy
from trialdesk.privacy.services import entries, requests
from trialdesk.studies.models import Study
from trialdesk.studies.pages import tab_url

NOT_A_READER = gettext_noop(
    "Privacy records are read by the study's data protection officer, CRM and auditors."
)
REQUEST_SORTS = {"due_on": "Due", "received_on": "Received", "kind": "Kind", "status": "Status"}
HOLD_SORTS = {"placed_on": "Placed", "reason": "Reason", "lifted_on": "Lifted"}


def _page(request, template, **context):
    return TemplateResponse(request, template, {"nav": "portfolio", **context})


def _study(request, study_id: int, *, keep: bool = False) -> Study:
    study = get_object_or_404(Study.objects.visible_to(request.user), pk=study_id)
    require(can_read_privacy(request.user, study.pk), _(NOT_A_READER))
    if keep or request.method == "POST":
        require(can_keep_privacy(request.user, study.pk), _(ONLY_KEEPERS))
    return study


def _people(study: Study):
    on_study = User.objects.filter(role_assignments__study=study)
    at_sites = User.objects.filter(role_assignments__study_site__study=study)
    return (on_study | at_sites).distinct().order_by("last_name", "first_name", "username")


def _sorted(request, rows, sorts: dict[str, str], default: str):
    """Rows ordered by ?sort= (a column key, "-" before it for descending), and the columns' links."""
    sort = request.GET.get("sort", default)
    if sort.removeprefix("-") not in sorts:
        sort = default
    columns = [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if sort == key else key,
            "current": sort.removeprefix("-") == key,
        }
        for key, label in sorts.items()
    ]
    return rows.order_by(sort, "id"), columns, sort


def _tab(study: Study) -> str:
    return tab_url(study, "privacy")


@login_required
@require_safe
def overview(request):
    """Every study whose privacy records the reader may read: flagged transfers, open requests."""
    studies = [
        s
        for s in Study.objects.visible_to(request.user).order_by("code")
        if can_read_privacy(request.user, s.pk)
    ]
    open_requests = dict(
        DataSubjectRequest.objects.visible_to(request.user)
        .filter(study__in=studies, status="open")
        .order_by()
        .values("study")
        .annotate(n=Count("id"))
        .values_list("study", "n")
    )
    rows = []
    for study in studies:
        transfers = register.study_transfers(study)
        rows.append(
            {
                "study": study,
                "flagged": sum(1 for t in transfers if t.flagged),
                "transfers": len(transfers),
                "open_requests": open_requests.get(study.pk, 0),
            }
        )
    return _page(request, "privacy/overview.html", rows=rows, title=_("Data protection"))


@login_required
def settings_edit(request, study_id):
    study = _study(request, study_id, keep=True)
    current = StudyPrivacy.objects.filter(study=study).first()
    return form_page(
        request,
        StudyPrivacyForm(post_data(request), instance=current),
        lambda f: entries.save_settings(
            study=study,
            values=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=_("Privacy settings of %(code)s") % {"code": study.code},
        cancel_url=_tab(study),
        done=lambda _saved: _tab(study),
        saved=_("Privacy settings saved."),
        study=study,
        nav="portfolio",
    )


@login_required
def purpose_create(request, study_id):
    study = _study(request, study_id, keep=True)
    form = PurposeForm(post_data(request))
    if request.method == "POST":
        saved = submit(
            form, lambda f: entries.create_purpose(study=study, values=f.changed_values(), by=request.user)
        )
        if saved is not None:
            messages.success(request, _("Purpose recorded: %(purpose)s.") % {"purpose": saved})
            return redirect(_tab(study))
    return _page(request, "privacy/purpose_form.html", form=form, study=study, cancel_url=_tab(study))


@login_required
def safeguard_create(request, study_id):
    study = _study(request, study_id, keep=True)
    initial = {"from_country": request.GET.get("from", "")[:2], "to_country": request.GET.get("to", "")[:2]}
    form = SafeguardForm(post_data(request), initial=initial)
    if request.method == "POST":
        saved = submit(
            form, lambda f: entries.create_safeguard(study=study, values=f.changed_values(), by=request.user)
        )
        if saved is not None:
            messages.success(request, _("Safeguard recorded: %(safeguard)s.") % {"safeguard": saved})
            return redirect(_tab(study))
    title = _("Record a transfer safeguard for %(code)s") % {"code": study.code}
    return _page(request, "form_page.html", form=form, study=study, title=title, cancel_url=_tab(study))


@login_required
def holds(request, study_id):
    """The study's legal holds (sortable, paged) and, for those who keep them, the form to place one."""
    study = _study(request, study_id)
    form = HoldForm(post_data(request), people=_people(study))
    if request.method == "POST":
        saved = submit(
            form, lambda f: entries.place_hold(study=study, values=f.changed_values(), by=request.user)
        )
        if saved is not None:
            messages.success(request, _("%(hold)s placed.") % {"hold": saved})
            return redirect("privacy_holds", study_id=study.pk)
    rows = LegalHold.objects.visible_to(request.user).filter(study=study).select_related("person")
    rows, columns, sort = _sorted(request, rows, HOLD_SORTS, "-placed_on")
    keep = can_keep_privacy(request.user, study.pk)
    context = {"study": study, "page": paginate(rows, request), "columns": columns, "sort": sort}
    return _page(request, "privacy/holds.html", form=form if keep else None, **context)


@login_required
def hold_lift(request, legal_hold_id):
    hold = get_object_or_404(
        LegalHold.objects.visible_to(request.user).select_related("study"), pk=legal_hold_id
    )
    if request.method == "POST":
        require(can_keep_privacy(request.user, hold.study_id), _(ONLY_KEEPERS))
    form = LiftForm(post_data(request), initial={"lifted_on": timezone.localdate()})
    if request.method == "POST":
        saved = submit(
            form,
            lambda f: entries.lift_hold(
                hold=hold,
                lifted_on=f.cleaned_data["lifted_on"],
                by=request.user,
                reason=f.cleaned_data["reason"],
            ),
        )
        if saved is not None:
            messages.success(request, _("%(hold)s lifted.") % {"hold": saved})
            return redirect("privacy_holds", study_id=hold.study_id)
    cancel = redirect("privacy_holds", study_id=hold.study_id).url
    title = _("Lift the %(hold)s") % {"hold": hold}
    return _page(request, "form_page.html", form=form, study=hold.study, title=title, cancel_url=cancel)


@login_required
def request_log(request, study_id):
    """The study's data-subject requests (sortable by due date, receipt, kind, status; paged) and the form
    to log one; read by those who answer requests."""
    study = _study(request, study_id)
    form = RequestForm(post_data(request), people=_people(study))
    if request.method == "POST":
        saved = submit(
            form, lambda f: requests.log_request(study=study, values=f.changed_values(), by=request.user)
        )
        if saved is not None:
            messages.success(
                request,
                _("%(request)s logged; due %(due_on)s.")
                % {"request": saved, "due_on": f"{saved.due_on:%Y-%m-%d}"},
            )
            return redirect("privacy_request", data_subject_request_id=saved.pk)
    rows = DataSubjectRequest.objects.visible_to(request.user).filter(study=study).select_related("person")
    rows, columns, sort = _sorted(request, rows, REQUEST_SORTS, "due_on")
    keep = can_keep_privacy(request.user, study.pk)
    context = {"study": study, "page": paginate(rows, request), "columns": columns, "sort": sort}
    context["today"] = timezone.localdate()
    return _page(request, "privacy/requests.html", form=form if keep else None, **context)


def _request(request, data_subject_request_id) -> DataSubjectRequest:
    rows = DataSubjectRequest.objects.visible_to(request.user).select_related("study", "person")
    return get_object_or_404(rows, pk=data_subject_request_id)


@login_required
@require_safe
def request_detail(request, data_subject_request_id):
    """A request: its deadline, the export, what erasure can do, the forms to close or extend it."""
    row = _request(request, data_subject_request_id)
    return _request_page(request, row, CloseForm(initial={"closed_on": timezone.localdate()}), ExtendForm())


def _request_page(request, row: DataSubjectRequest, close_form, extend_form):
    today = timezone.localdate()
    context = {
        "study": row.study,
        "row": row,
        "today": today,
        "close_form": close_form,
        "extend_form": extend_form,
        "erasure": access.erasure_assessment(row.person, today=today)
        if row.person_id
        else access.candidate_export(row.study, row.requester_reference, today=today, reader=request.user)[
            "erasure"
        ],
    }
    return _page(request, "privacy/request.html", **context)


@login_required
def request_close(request, data_subject_request_id):
    row = _request(request, data_subject_request_id)  # 404 outside the reader's scope, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(can_keep_privacy(request.user, row.study_id), _(ONLY_KEEPERS))
    form = CloseForm(request.POST)
    saved = submit(
        form,
        lambda f: requests.close_request(
            request=row,
            status=f.cleaned_data["status"],
            closed_on=f.cleaned_data["closed_on"],
            outcome=f.cleaned_data["outcome"],
            by=request.user,
        ),
    )
    if saved is not None:
        messages.success(request, _("%(request)s closed.") % {"request": saved})
        return redirect("privacy_request", data_subject_request_id=row.pk)
    return _request_page(request, row, form, ExtendForm())


@login_required
def request_extend(request, data_subject_request_id):
    row = _request(request, data_subject_request_id)  # 404 outside the reader's scope, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require(can_keep_privacy(request.user, row.study_id), _(ONLY_KEEPERS))
    form = ExtendForm(request.POST)
    saved = submit(
        form, lambda f: requests.extend_request(request=row, by=request.user, reason=f.cleaned_data["reason"])
    )
    if saved is not None:
        messages.success(request, _("Extended: now due %(due_on)s.") % {"due_on": f"{saved.due_on:%Y-%m-%d}"})
        return redirect("privacy_request", data_subject_request_id=row.pk)
    return _request_page(request, row, CloseForm(), form)


@login_required
@require_safe
def request_export(request, data_subject_request_id, fmt: str):
    """Everything held about the person who asked, as JSON or PDF (a staff member's; none for candidates)."""
    row = _request(request, data_subject_request_id)
    if row.person_id:
        document = access.person_export(row.person, reader=request.user)
    else:
        document = access.candidate_export(
            row.study, row.requester_reference, today=timezone.localdate(), reader=request.user
        )
    if fmt == "pdf" and row.person_id:
        response = HttpResponse(access.export_pdf(document), content_type="application/pdf")
    else:
        body = json.dumps(document, indent=2, ensure_ascii=False, default=str)
        response = HttpResponse(body, content_type="application/json")
        fmt = "json"
    response["Content-Disposition"] = f'attachment; filename="data-subject-request-{row.pk}.{fmt}"'
    return response


@login_required
@require_safe
def identifier_scan(request, study_id):
    """Likely identifiers in the study's free text, masked; those the reader may not see are only counted."""
    study = _study(request, study_id)
    found, hidden = scan.scan_visible(request.user, study_id=study.pk)
    context = {"study": study, "page": paginate(found, request), "count": len(found), "hidden": hidden}
    return _page(request, "privacy/scan.html", **context)
