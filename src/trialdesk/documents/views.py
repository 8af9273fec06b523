"""Pages of the documents app: expected documents with their state, filing, versions and downloads.

Thin: a selector or service per page; out of scope answers 404, a refused write 403.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.models import User
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import post_data, wants_partial
from trialdesk.documents import selectors, services, storage
from trialdesk.documents.forms import DocumentFileForm, DocumentFilterForm, DocumentVersionForm
from trialdesk.documents.permissions import ONLY_FILERS, can_file, can_file_somewhere
from trialdesk.studies.models import ProtocolVersion, Study
from trialdesk.studies.pages import visible_study


@login_required
@require_safe
def document_list(request, study_id):
    """The study's expected documents with their state, filtered by site and state, and what is on file."""
    study = visible_study(request, study_id)
    sites = selectors.sites_for(request.user, study).order_by("site_number")
    filters_form = DocumentFilterForm(request.GET or None, sites=sites)
    filters = filters_form.filters()
    rows = selectors.expected_documents_for(
        request.user, study, study_site=filters["study_site"], state=filters["state"]
    )
    documents = selectors.documents_for(request.user, study).prefetch_related("versions")
    if filters["study_site"] is not None:
        documents = documents.filter(study_site=filters["study_site"])
    page = paginate(rows, request)
    filed = Paginator(documents, settings.PAGE_SIZE).get_page(request.GET.get("filed"))
    context = {
        "study": study,
        "filters_form": filters_form,
        "expected_count": len(rows),
        "expected_rows": with_file_links(study, list(page.object_list)),
        "page": page,
        "filed": filed,
        "may_file": can_file_somewhere(request.user, study.pk),
        "nav": "portfolio",
    }
    template = "documents/partials/document_tables.html" if wants_partial(request) else "documents/list.html"
    return TemplateResponse(request, template, context)


def _file_form(request, study: Study, data=None, files=None) -> DocumentFileForm:
    sites = [
        s.pk
        for s in selectors.sites_for(request.user, study)
        if can_file(request.user, study_id=study.pk, study_site_id=s.pk)
    ]
    staff = User.objects.filter(
        Q(role_assignments__study=study) | Q(role_assignments__study_site__study=study)
    ).distinct()
    initial = {
        "level": request.GET.get("level", "site"),
        "artifact_number": request.GET.get("artifact", ""),
        "study_site": request.GET.get("site"),
        "protocol_version": request.GET.get("version"),
        "person": request.GET.get("person"),
        "country": request.GET.get("country", ""),
    }
    return DocumentFileForm(
        data,
        files,
        initial=initial,
        sites=selectors.sites_for(request.user, study).filter(pk__in=sites).order_by("site_number"),
        protocol_versions=ProtocolVersion.objects.filter(study=study),
        people=staff.order_by("last_name", "username"),
    )


@login_required
def document_file(request, study_id):
    """File a new document against a TMF artifact (pre-filled from a missing expected document)."""
    study = visible_study(request, study_id)
    require(can_file_somewhere(request.user, study.pk), ONLY_FILERS)
    form = _file_form(request, study, post_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        document = submit(form, lambda f: _file(request, study, f))
        if document is not None:
            messages.success(request, gettext("Filed: %(title)s.") % {"title": document.title})
            return redirect("document_detail", document_id=document.pk)
    context = {
        "study": study,
        "form": form,
        "title": gettext("File an essential document in %(code)s") % {"code": study.code},
    }
    return TemplateResponse(request, "documents/file.html", context)


def _file(request, study, form):
    values = form.cleaned_data
    return services.file_document(
        study=study,
        level=values["level"],
        artifact_number=values["artifact_number"],
        title=values["title"],
        study_site=values["study_site"],
        country=values["country"],
        protocol_version=values["protocol_version"],
        person=values["person"],
        upload=services.Upload.of(values["file"]),
        document_date=values["document_date"],
        expires_on=values["expires_on"],
        note=values["note"],
        by=request.user,
    )


def _visible_document(request, document_id):
    documents = selectors.documents_for(request.user).select_related("study", "study_site__institution")
    return get_object_or_404(documents, pk=document_id)


def _detail(request, document, version_form=None):
    may_file = can_file(request.user, study_id=document.study_id, study_site_id=document.study_site_id)
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    context = {
        "study": document.study,
        "document": document,
        "versions": versions,
        "may_file": may_file,
        "version_form": version_form or (DocumentVersionForm() if may_file else None),
        "trail": selectors.document_trail(request.user, document)[:50],
        "nav": "portfolio",
    }
    return TemplateResponse(request, "documents/detail.html", context)


@login_required
@require_safe
def document_detail(request, document_id):
    """A document with every version (current first) and their downloads."""
    return _detail(request, _visible_document(request, document_id))


@login_required
def document_version_new(request, document_id):
    """Upload a new version; it supersedes the current one, which stays on file."""
    document = _visible_document(request, document_id)
    if request.method != "POST":
        return redirect("document_detail", document_id=document.pk)
    require(
        can_file(request.user, study_id=document.study_id, study_site_id=document.study_site_id), ONLY_FILERS
    )
    form = DocumentVersionForm(request.POST, request.FILES)
    version = submit(
        form,
        lambda f: services.add_version(
            document=document,
            upload=services.Upload.of(f.cleaned_data["file"]),
            document_date=f.cleaned_data["document_date"],
            expires_on=f.cleaned_data["expires_on"],
            note=f.cleaned_data["note"],
            by=request.user,
        ),
    )
    if version is None:
        return _detail(request, document, version_form=form)
    messages.success(
        request,
        gettext("Version %(number)s filed; it supersedes the earlier ones.") % {"number": version.number},
    )
    return redirect("document_detail", document_id=document.pk)


@login_required
@require_safe
def document_download(request, document_version_id):
    """The file, served only when its checksum still matches; the download is audited."""
    version = get_object_or_404(selectors.versions_for(request.user), pk=document_version_id)
    try:
        content = services.open_for_download(version=version, by=request.user)
    except storage.FileProblem as problem:
        context = {"study": version.document.study, "document": version.document, "version": version}
        return TemplateResponse(
            request, "documents/file_problem.html", {**context, "problem": problem}, status=409
        )
    response = FileResponse(content, as_attachment=True, filename=version.filename)
    response["Content-Type"] = version.media_type
    return response


def with_file_links(study: Study, rows: list) -> list[tuple]:
    """(expected row, URL of the filing page pre-filled for it) for each row."""
    version_ids = dict(ProtocolVersion.objects.filter(study=study).values_list("number", "pk"))
    url = reverse("document_file", kwargs={"study_id": study.pk})
    linked = []
    for row in rows:
        e = row.expected
        query = {
            "level": e.level,
            "artifact": e.artifact_number,
            "site": e.study_site_id,
            "country": e.country if e.level == "country" else "",
            "version": version_ids.get(e.protocol_version),
            "person": e.person_id,
        }
        linked.append((row, url + "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})))
    return linked
