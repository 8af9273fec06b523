"""The study page's CDISC ODM 1.3.2 download, as the person may see it.

It holds only what the signed-in person may see (participants in scope, arms only when unblinded), the
same as `trialdesk export odm --user`.
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from trialdesk.integrations.downloads import attachment
from trialdesk.integrations.odm import selectors as odm
from trialdesk.studies.pages import visible_study


@login_required
@require_safe
def odm_download(request, study_id):
    study = visible_study(request, study_id)
    with_audit = request.GET.get("audit") == "1"
    xml = odm.export_study(study=study, user=request.user, audit=with_audit)  # metadata and clinical data
    suffix = "-audit" if with_audit else ""
    return attachment(xml, "application/xml", f"{study.code}-odm{suffix}.xml")
