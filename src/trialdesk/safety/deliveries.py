"""Expedited reports sent to every investigator or committee, tracked one delivery each with its
acknowledgement; and the files kept with an obligation (the report as submitted, the acknowledgement).

Files are stored by SHA-256 under `settings.DATA_DIR / "safety-reports"` (written to a temporary file, then
moved into place), recorded through core.records (so every attachment is on the audit trail), and checked
against their checksum whenever they are read: an altered or missing file is reported, never served.
"""

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.safety.models import (
    CommitteeReportingPolicy,
    ObligationAttachment,
    ObligationDelivery,
    ReportingObligation,
)
from trialdesk.safety.permissions import can_submit_obligation
from trialdesk.safety.rules import rulebook
from trialdesk.sites.models import StudySite

ONLY_SUBMITTERS = "Only the reporting party (site staff for site reports, else the sponsor) records this."
# What a submitted report or an acknowledgement may be: a PDF, or an E2B / acknowledgement XML file.
ACCEPTED = {".pdf": ("application/pdf", (b"%PDF-",)), ".xml": ("application/xml", (b"<?xml", b"<"))}
MAX_BYTES = 50 * 1024 * 1024


# Deliveries ----------------------------------------------------------------------------------------------


def plan_deliveries(*, obligation: ReportingObligation, distribution: str, by: User | None) -> list:
    """One delivery per site (`sites`: the study's sites in the rule's countries, else all of them) or per
    committee (`committees`: the study's committee policies at those sites, else the recipient itself)."""
    if distribution not in ("sites", "committees"):
        return []
    sites = list(StudySite.objects.filter(study_id=obligation.study_id).select_related("institution"))
    countries = rulebook.countries_of(obligation.jurisdiction)
    local = [s for s in sites if s.institution.country in countries] or sites
    if distribution == "sites":
        targets = [{"study_site": site} for site in local]
    else:
        policies = CommitteeReportingPolicy.objects.filter(study_id=obligation.study_id, active=True).filter(
            Q(study_site__isnull=True) | Q(study_site__in=local)
        )
        names = sorted({p.committee for p in policies}) or [obligation.recipient]
        targets = [{"committee": name} for name in names]
    return [
        records.create_record(
            ObligationDelivery(obligation=obligation, **target),
            by=by,
            reason=f"{obligation.key} to each recipient",
        )
        for target in targets
    ]


@transaction.atomic
def record_delivery(
    *,
    delivery: ObligationDelivery,
    by: User,
    sent_at: dt.datetime | None = None,
    acknowledged_at: dt.datetime | None = None,
    acknowledgement_reference: str = "",
    reason: str = "",
) -> ObligationDelivery:
    """Record that the report went to this site or committee, and when its receipt was acknowledged."""
    obligation = delivery.obligation
    require(
        can_submit_obligation(
            by,
            study_id=obligation.study_id,
            study_site_id=obligation.study_site_id,
            party=obligation.reporting_party,
        ),
        ONLY_SUBMITTERS,
    )
    now = timezone.now() + dt.timedelta(minutes=5)
    for name, moment in (("sent_at", sent_at), ("acknowledged_at", acknowledged_at)):
        if moment and moment > now:
            raise ValidationError({name: gettext("This cannot be in the future.")})
    changes = {
        "sent_at": sent_at or delivery.sent_at,
        "acknowledged_at": acknowledged_at or delivery.acknowledged_at,
        "acknowledgement_reference": (
            acknowledgement_reference or delivery.acknowledgement_reference
        ).strip(),
    }
    return records.update_record(
        delivery, changes=changes, by=by, reason=reason.strip() or "delivery recorded", action="delivered"
    )


# Attachments ---------------------------------------------------------------------------------------------


def root() -> Path:
    return Path(settings.DATA_DIR) / "safety-reports"


def path_of(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def _type_of(file_name: str, head: bytes) -> str:
    extension = os.path.splitext(file_name.lower())[1]
    if extension not in ACCEPTED:
        raise ValidationError({"file": gettext("Attach the report or acknowledgement as a PDF or XML file.")})
    media_type, starts = ACCEPTED[extension]
    if not any(head.lstrip().startswith(s) for s in starts):
        raise ValidationError(
            {
                "file": gettext("The file's content is not %(extension)s.")
                % {"extension": extension[1:].upper()}
            }
        )
    return media_type


@transaction.atomic
def attach(
    *, obligation: ReportingObligation, kind: str, file_name: str, content: bytes, by: User, reason: str = ""
):
    """Keep a file with the obligation, stored under its SHA-256 and recorded on the audit trail."""
    require(
        can_submit_obligation(
            by,
            study_id=obligation.study_id,
            study_site_id=obligation.study_site_id,
            party=obligation.reporting_party,
        ),
        ONLY_SUBMITTERS,
    )
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": gettext("The file is larger than 50 MB.")})
    media_type = _type_of(file_name, content[:512])
    digest = hashlib.sha256(content).hexdigest()
    target = path_of(digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix="upload-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, target)
    return records.create_record(
        ObligationAttachment(
            obligation=obligation,
            kind=kind,
            file_name=os.path.basename(file_name)[:255],
            sha256=digest,
            size=len(content),
            content_type=media_type,
        ),
        by=by,
        reason=reason.strip() or f"{kind} attached",
    )


def verified_content(attachment: ObligationAttachment) -> bytes:
    """The attachment's bytes, checked against its checksum; ValidationError when missing or altered."""
    path = path_of(attachment.sha256)
    if not path.is_file():
        raise ValidationError({"file": gettext("The attachment's file is missing from storage.")})
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != attachment.sha256 or len(content) != attachment.size:
        raise ValidationError(
            {"file": gettext("The attachment's file was altered: its checksum no longer matches.")}
        )
    return content
