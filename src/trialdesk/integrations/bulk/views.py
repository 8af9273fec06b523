"""Pages for bulk import (upload → preview → confirm) and the Excel exports of the portfolio and a study.

The uploaded file is kept between preview and confirmation in DATA_DIR/uploads under a random name;
the confirmation form carries that name signed (with the user and the study), so nobody can confirm
another person's file or swap the study, and the file is deleted once the import is done.
"""

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from trialdesk.core import tasks
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.integrations import tasks as import_tasks
from trialdesk.integrations.bulk import plans, selectors, services
from trialdesk.integrations.bulk.columns import INSTITUTION_COLUMNS, INSTITUTIONS, SITE_COLUMNS, STUDY_SITES
from trialdesk.interop import tabular
from trialdesk.interop.xlsx import Sheet, write_workbook
from trialdesk.studies import selectors as study_selectors
from trialdesk.studies.forms import PortfolioFilterForm
from trialdesk.studies.pages import visible_study

SIGNING_SALT = "trialdesk.integrations.bulk-import"
# A preview is confirmed within minutes; an hour leaves room for a coffee, not for a stale plan.
PREVIEW_MAX_AGE = 3600
KINDS = {INSTITUTIONS: INSTITUTION_COLUMNS, STUDY_SITES: SITE_COLUMNS}
# Page titles, translated as the page draws them (a task keeps its title in English).
TITLES = {INSTITUTIONS: gettext_noop("Import institutions"), STUDY_SITES: gettext_noop("Import study sites")}
INSTRUCTIONS = {
    INSTITUTIONS: (
        "Institutions: one row per institution, under the header row of the Institutions sheet.",
        "A row whose Institution id, or name, department, city and country, matches an institution in the "
        "directory changes it; any other row adds a new one.",
        "Nothing is written until you have seen the preview and pressed Confirm import; one bad row stops "
        "the whole file.",
    ),
    STUDY_SITES: (
        "Study sites: one row per site of the study, under the header row of the Sites sheet.",
        "A row whose Site number is already used in the study changes that site; any other row adds one. "
        "A column left out of the file leaves that field as it is.",
        "The institution is found by its Institution id, or by its name and city; import new institutions "
        "first. The Status moves the site along its lifecycle, one audited step at a time.",
        "Nothing is written until you have seen the preview and pressed Confirm import; one bad row stops "
        "the whole file.",
    ),
}


def _managed_studies(user):
    """The studies whose sites the user may import: those they manage (CRM) or all, for administrators."""
    studies = study_selectors.studies_for(user).order_by("code")
    return studies.filter(pk__in=[s.pk for s in studies if can_manage_study(user, s.pk)])


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file (UTF-8, ',' or ';' separated)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
            raise forms.ValidationError(gettext("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
        if upload.size > plans.max_upload_bytes():
            raise forms.ValidationError(plans.too_large_message(upload.size))
        return upload


class SiteUploadForm(UploadForm):
    study = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Study"), empty_label=gettext_lazy("Choose a study")
    )

    def __init__(self, *args, studies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies
        self.order_fields(["study", "file"])


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=2000)


class SizeLimitedUpload(FileUploadHandler):
    """Stops reading an upload once it passes the limit, so a huge file is never stored on disk."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _upload_form(request, kind: str, data=None, files=None):
    if kind == STUDY_SITES:
        initial = {"study": request.GET.get("study")} if request.GET.get("study", "").isdigit() else {}
        return SiteUploadForm(data, files, studies=_managed_studies(request.user), initial=initial)
    return UploadForm(data, files)


def _section(kind: str, form, too_large: str = "") -> dict:
    return {
        "kind": kind,
        "form": form,
        "title": gettext(TITLES[kind]),
        "too_large": too_large,
        "columns": KINDS[kind],
        "action": reverse("bulk_import_institutions" if kind == INSTITUTIONS else "bulk_import_sites"),
        "template_xlsx": reverse(f"bulk_{kind}_template_xlsx"),
        "template_csv": reverse(f"bulk_{kind}_template_csv"),
    }


def _upload_page(request, kind: str, form, *, status: int = 200, too_large: str = ""):
    context = {
        "title": gettext(TITLES[kind]),
        "sections": [_section(kind, form, too_large)],
        "nav": "imports",
    }
    return TemplateResponse(request, "integrations/bulk_upload.html", context, status=status)


@login_required
@require_safe
def import_start(request):
    """Both upload forms, with the templates to download."""
    require(can_manage_institutions(request.user), "Only administrators and CRMs import records.")
    sections = [
        _section(INSTITUTIONS, _upload_form(request, INSTITUTIONS)),
        _section(STUDY_SITES, _upload_form(request, STUDY_SITES)),
    ]
    context = {"title": gettext("Import from a spreadsheet"), "sections": sections, "nav": "imports"}
    return TemplateResponse(request, "integrations/bulk_upload.html", context)


def _import_upload(request, kind: str):
    require(can_manage_institutions(request.user), "Only administrators and CRMs import records.")
    if request.method != "POST":
        return _upload_page(request, kind, _upload_form(request, kind))
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = plans.max_upload_bytes()
    if declared > limit + 64 * 1024:  # refused before a byte of the body is read
        return _upload_page(
            request,
            kind,
            _upload_form(request, kind),
            status=413,
            too_large=plans.too_large_message(declared),
        )
    guard = SizeLimitedUpload(request, limit)
    request.upload_handlers.insert(0, guard)
    return csrf_protect(_preview)(request, kind, guard)


def _preview(request, kind: str, guard: SizeLimitedUpload):
    form = _upload_form(request, kind, request.POST, request.FILES)
    if guard.exceeded:
        return _upload_page(
            request, kind, _upload_form(request, kind), status=413, too_large=plans.too_large_message()
        )
    if not form.is_valid():
        return _upload_page(request, kind, form, status=400)
    upload, study = form.cleaned_data["file"], form.cleaned_data.get("study")
    content = upload.read()
    plan = services.plan_import(kind, content, upload.name, by=request.user, study=study)
    token = _keep_upload(request, plan, content) if plan.can_apply else ""
    return _preview_page(request, plan, token)


def _preview_page(request, plan: plans.ImportPlan, token: str, *, status: int = 200):
    context = {
        "plan": plan,
        "title": gettext("%(title)s: preview of %(file)s")
        % {"title": gettext(TITLES[plan.kind]), "file": plan.filename},
        "confirm_form": ConfirmForm(initial={"token": token}) if token else None,
        "problems": [(p, p.located(plan.filename)) for p in plan.problems],
        "again_url": _upload_url(plan),
        "nav": "imports",
        "study": plan.study,
    }
    return TemplateResponse(request, "integrations/bulk_preview.html", context, status=status)


def _upload_url(plan: plans.ImportPlan) -> str:
    if plan.kind == INSTITUTIONS:
        return reverse("bulk_import_institutions")
    return reverse("bulk_import_sites") + (f"?study={plan.study.pk}" if plan.study else "")


@csrf_exempt
@login_required
def import_institutions(request):
    """GET: the upload form; POST a file: the preview (nothing is written)."""
    return _import_upload(request, INSTITUTIONS)


@csrf_exempt
@login_required
def import_sites(request):
    """GET: the upload form (choose the study); POST a file: the preview (nothing is written)."""
    return _import_upload(request, STUDY_SITES)


def _uploads() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep_upload(request, plan: plans.ImportPlan, content: bytes) -> str:
    """Store the file under a random name and return the signed token the confirmation sends back."""
    _forget_old_uploads()
    name = secrets.token_urlsafe(24)
    (_uploads() / name).write_bytes(content)
    payload = {
        "name": name,
        "kind": plan.kind,
        "study": plan.study.pk if plan.study else None,
        "file": plan.filename,
        "user": request.user.pk,
    }
    return signing.dumps(payload, salt=SIGNING_SALT)


def _forget_old_uploads() -> None:
    """Files of previews nobody confirmed: gone once their token can no longer be used."""
    cutoff = time.time() - PREVIEW_MAX_AGE
    for path in _uploads().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@login_required
@require_POST
def import_confirm(request):
    """Apply a previewed file: all of it in one transaction, or nothing with every problem shown.

    With the database queue the worker imports it (integrations.tasks) and the page goes to the task's
    page, which shows its progress, then its outcome or every problem; when tasks run at once (`make
    run`, the tests) it is imported here and the preview shows the problems."""
    require(can_manage_institutions(request.user), "Only administrators and CRMs import records.")
    form = ConfirmForm(request.POST)
    payload = _unsigned(form, request)
    if payload is None:
        return TemplateResponse(
            request,
            "integrations/bulk_expired.html",
            {"title": gettext("This preview can no longer be confirmed"), "nav": "imports"},
            status=400,
        )
    path = _uploads() / payload["name"]
    study = visible_study(request, payload["study"]) if payload["study"] is not None else None
    if not tasks.runs_at_once():
        progress = tasks.start(
            import_tasks.run_bulk_import,
            title=f"{TITLES[payload['kind']]}: {payload['file']}",
            by=request.user,
            key=f"bulk-import:{payload['name']}",
            kind=payload["kind"],
            upload=str(path),
            filename=payload["file"],
            study_id=study.pk if study else None,
            by_id=request.user.pk,
        )
        return redirect("task_page", task_id=progress.pk)
    try:
        plan = services.import_file(
            payload["kind"], path.read_bytes(), payload["file"], by=request.user, study=study
        )
    except plans.ImportRefused as refused:
        return _preview_page(request, refused.plan, "", status=422)
    finally:
        path.unlink(missing_ok=True)
    messages.success(
        request,
        gettext("Imported %(file)s: %(created)s created, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "file": payload["file"],
            "created": plan.created,
            "changed": plan.changed,
            "unchanged": plan.unchanged,
        },
    )
    if study is not None:
        return redirect(f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=sites")
    return redirect("institution_list")


def _unsigned(form: ConfirmForm, request) -> dict | None:
    if not form.is_valid():
        return None
    try:
        payload = signing.loads(form.cleaned_data["token"], salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return None
    if payload.get("user") != request.user.pk or not (_uploads() / payload["name"]).is_file():
        return None
    return payload


# Templates and exports -----------------------------------------------------------------------------


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=selectors.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _template(kind: str, suffix: str) -> HttpResponse:
    columns = KINDS[kind]
    if suffix == "csv":
        # The byte order mark makes Excel open the file as UTF-8 (names with accents stay whole).
        response = HttpResponse(
            "\ufeff" + tabular.write_csv(columns, []), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="trialdesk-{kind}-template.csv"'
        return response
    title = "Institutions" if kind == INSTITUTIONS else "Sites"
    sheet = Sheet(title, columns, drop_downs=True, instructions=INSTRUCTIONS[kind])
    return _xlsx_response(write_workbook([sheet]), f"trialdesk-{kind}-template.xlsx")


@login_required
@require_safe
def institutions_template_xlsx(request):
    return _template(INSTITUTIONS, "xlsx")


@login_required
@require_safe
def institutions_template_csv(request):
    return _template(INSTITUTIONS, "csv")


@login_required
@require_safe
def sites_template_xlsx(request):
    return _template(STUDY_SITES, "xlsx")


@login_required
@require_safe
def sites_template_csv(request):
    return _template(STUDY_SITES, "csv")


@login_required
@require_safe
def portfolio_export(request):
    """The portfolio with the page's filters, as a workbook."""
    user = request.user
    filters = PortfolioFilterForm(request.GET, therapeutic_areas=study_selectors.therapeutic_areas_for(user))
    return _xlsx_response(
        selectors.portfolio_workbook(user, **filters.filters()), selectors.export_filename(None, "portfolio")
    )


@login_required
@require_safe
def study_sites_export(request, study_id):
    study = visible_study(request, study_id)
    return _xlsx_response(
        selectors.study_sites_workbook(request.user, study), selectors.export_filename(study, "sites")
    )


@login_required
@require_safe
def study_milestones_export(request, study_id):
    study = visible_study(request, study_id)
    return _xlsx_response(
        selectors.study_milestones_workbook(request.user, study),
        selectors.export_filename(study, "milestones"),
    )
