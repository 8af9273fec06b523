"""What Trialdesk holds about one staff member (GDPR Art 15), as a JSON document and a PDF, and what of it
an erasure request (Art 17) can remove now, what must stay and until when (the retention rules).

The export is about the person: their account, roles, training, delegation, disclosures, the requests and
legal holds about them, and the changes they made — which record, when, what kind of change, but not the
values they entered, which are the trial's (and, for participants' records, other people's) data.
"""

from __future__ import annotations

import datetime as dt
import io
from html import escape

from django.utils import timezone
from django.utils.translation import gettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from trialdesk.core import extensions
from trialdesk.core.models import ApiToken, AuditEvent, RoleAssignment, User
from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
from trialdesk.people.permissions import can_see_financial_interests
from trialdesk.privacy.models import DataSubjectRequest, LegalHold
from trialdesk.privacy.register import trial_end
from trialdesk.privacy.rules import retention
from trialdesk.privacy.services import holds as legal_holds
from trialdesk.studies.models import Study


def _account(person: User) -> dict:
    return {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "active": person.is_active,
        "joined": person.date_joined,
        "last_sign_in": person.last_login,
        "api_tokens": list(ApiToken.objects.filter(user=person).values("name", "created_at", "revoked_at")),
    }


def _roles(person: User) -> list[dict]:
    rows = RoleAssignment.objects.filter(user=person).select_related("study", "study_site__study")
    return [
        {
            "role": row.get_role_display(),
            "study": (row.study or (row.study_site.study if row.study_site_id else None) or "").__str__(),
            "site": str(row.study_site) if row.study_site_id else None,
            "granted_at": row.granted_at,
        }
        for row in rows
    ]


def _changes_made(person: User) -> dict:
    """The changes they made: count, first and last, and each event's time, action and record type. The
    record's name is left out where it is a participant's (a pseudonym of someone else)."""
    subject_level = extensions.subject_level_types()
    events = AuditEvent.objects.filter(actor=person).order_by("id")
    return {
        "count": events.count(),
        "events": [
            {
                "at": event.occurred_at,
                "action": event.action,
                "record": extensions.audit_label(event.object_type),
                "name": None if event.object_type in subject_level else event.object_repr,
            }
            for event in events.only("occurred_at", "action", "object_type", "object_repr")
        ],
    }


HIDDEN_INTERESTS = (
    "hidden from you (21 CFR 54: the person, the study's CRM, auditors, sponsor viewers and administrators "
    "see them); an administrator's export (trialdesk privacy access) includes them"
)


def _disclosures(person: User, reader: User | None) -> list[dict]:
    """Their financial disclosures; the interests only where `reader` may see them (people.permissions),
    every one for the command line (reader None)."""
    rows = FinancialDisclosure.objects.filter(investigator=person).select_related("study")
    return [
        {
            "study": row.study.code,
            "occasion": row.occasion,
            "disclosed_on": row.disclosed_on,
            "has_interests": row.has_interests,
            "interests": row.interests
            if reader is None or can_see_financial_interests(reader, row)
            else HIDDEN_INTERESTS,
        }
        for row in rows
    ]


def person_export(person: User, *, reader: User | None = None) -> dict:
    """Everything held about `person`, as a JSON-ready document (dates as ISO text), as `reader` may see
    it (None: the command line, which sees everything)."""
    document = {
        "exported_at": timezone.now(),
        "account": _account(person),
        "roles": _roles(person),
        "training": list(
            TrainingRecord.objects.filter(staff_member=person).values(
                "study__code",
                "kind",
                "title",
                "completed_on",
                "expires_on",
                "provider",
                "certificate_reference",
            )
        ),
        "delegation": list(
            DelegationEntry.objects.filter(staff_member=person).values(
                "study__code",
                "study_site__site_number",
                "study_role",
                "tasks",
                "starts_on",
                "ends_on",
                "signed_at",
            )
        ),
        "disclosures": _disclosures(person, reader),
        "requests": list(
            DataSubjectRequest.objects.filter(person=person).values(
                "study__code", "kind", "received_on", "status"
            )
        ),
        "legal_holds": list(
            LegalHold.objects.filter(person=person).values("study__code", "reason", "placed_on", "lifted_on")
        ),
        "changes_made": _changes_made(person),
        "erasure": erasure_assessment(person, today=timezone.localdate()),
    }
    return _plain(document)


def _plain(value):
    if isinstance(value, dict):
        return {
            key.replace("study__code", "study").replace("study_site__site_number", "site"): _plain(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _identity_kept_until(person: User) -> tuple[dt.date | None, str]:
    """The last day their name must be kept (the latest end of a study's TMF period) and why."""
    latest, open_studies = None, []
    for study in Study.objects.filter(pk__in=legal_holds.studies_of(person)).order_by("code"):
        until = retention.kept_until("staff_identity", start=trial_end(study))
        if until is None:
            open_studies.append(study.code)
        elif latest is None or until > latest:
            latest = until
    if open_studies:
        return None, gettext("25 years after the end of %(studies)s, which has not ended yet") % {
            "studies": ", ".join(open_studies)
        }
    return latest, ""


def _kept_in_the_tmf(until) -> str:
    sentence = gettext(
        "Part of the trial master file (EU CTR Art 58; GDPR Art 17(3)(b)): kept until %(until)s."
    )
    return sentence % {"until": until}


def erasure_assessment(person: User, *, today: dt.date) -> list[dict]:
    """What an erasure request can remove now and what must stay, and until when, in plain words."""
    hold = legal_holds.hold_on_person(person, list(legal_holds.holds_in_force()))
    until, open_reason = _identity_kept_until(person)
    contact = {"data": gettext("e-mail address, password, API tokens"), "until": None}
    if hold is not None:
        contact |= {
            "decision": "keep",
            "why": gettext("Under %(hold)s: nothing is erased until it is lifted.")
            % {"hold": legal_holds.describe(hold)},
        }
    elif person.is_active:
        contact |= {
            "decision": "keep",
            "why": gettext("The account is open: close it first, then these can be erased at once."),
        }
    else:
        contact |= {
            "decision": "erase_now",
            "why": gettext("Nothing requires keeping them once the account is closed."),
        }
    trial_records = {
        "data": gettext("name, roles, training, delegation, disclosures and the changes made"),
        "decision": "keep",
        "until": until.isoformat() if until else None,
    }
    if hold is not None:
        trial_records["why"] = gettext("Under %(hold)s.") % {"hold": legal_holds.describe(hold)}
    elif open_reason:
        trial_records["why"] = _kept_in_the_tmf(open_reason)
    elif until is None or until < today:
        trial_records |= {
            "decision": "erase_now",
            "why": gettext("Every study they worked on is past its retention period."),
        }
    else:
        trial_records["why"] = _kept_in_the_tmf(until)
    trail = {
        "data": gettext("the audit trail's record of their account and changes"),
        "decision": "keep",
        "until": None,
        "why": gettext("Never rewritten (21 CFR 11.10(e), EU CTR Art 58): it keeps earlier values."),
    }
    return [contact, trial_records, trail]


def export_pdf(document: dict) -> bytes:
    """The export as a PDF (reportlab): one section per part, the changes made as a table."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, pageCompression=0)
    account = document["account"]
    story = [
        Paragraph(f"Personal data held about {account['username']}", styles["Title"]),
        Paragraph(f"Exported {document['exported_at']} (UTC) under GDPR Art 15.", styles["Normal"]),
    ]
    for title, rows in (
        ("Account", [{k: v for k, v in account.items() if k != "api_tokens"}]),
        ("API tokens", account["api_tokens"]),
        ("Roles", document["roles"]),
        ("Training", document["training"]),
        ("Delegation", document["delegation"]),
        ("Financial disclosures", document["disclosures"]),
        ("Requests", document["requests"]),
        ("Legal holds", document["legal_holds"]),
        ("Erasure: what can go now and what must stay", document["erasure"]),
        (f"Changes made ({document['changes_made']['count']})", document["changes_made"]["events"]),
    ):
        story += [Spacer(1, 4 * mm), Paragraph(title, styles["Heading2"])]
        story.append(_table(rows, styles) if rows else Paragraph("None.", styles["Normal"]))
    pdf.build(story)
    return out.getvalue()


def _table(rows: list[dict], styles) -> Table:
    small = styles["BodyText"].clone("small", fontSize=7, leading=8)
    head = list(rows[0])
    body = [[Paragraph(escape(_cell(row.get(key))), small) for key in head] for row in rows]
    return Table([[Paragraph(f"<b>{key}</b>", small) for key in head], *body], repeatRows=1)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value)
    return str(value)


def candidate_export(study, reference: str, *, today: dt.date, reader: User | None = None) -> dict:
    """What the study's pre-screening pools hold under a candidate's key (de-identified facts, the last
    screen's result, whether they were approached), and what an erasure can remove now. The facts only
    from pools `reader` may see (recruitment: the site's staff and the study's CRM; None: the command
    line); the erasure lines, which say what is held where but none of it, for every pool."""
    from trialdesk.recruitment.models import Candidate
    from trialdesk.recruitment.services import retention_days_of

    rows = Candidate.objects.filter(pool__study=study, key=reference).select_related(
        "upload", "pool__study_site"
    )
    held = [
        {
            "site": row.pool.study_site.site_number,
            "key": row.key,
            "facts": row.facts,
            "status": row.status,
            "screened_on": row.screened_on,
            "uploaded_on": row.upload.uploaded_on,
            "approached": row.screening_entry_id is not None,
        }
        for row in (rows if reader is None else rows.filter(pk__in=Candidate.objects.visible_to(reader)))
    ]
    hold = legal_holds.hold_on_study(study.pk, list(legal_holds.holds_in_force()))
    erasure = []
    for row in rows:
        until = row.upload.uploaded_on + dt.timedelta(days=retention_days_of(study.pk))
        line = {
            "data": f"pre-screening facts at site {row.pool.study_site.site_number}",
            "until": until.isoformat(),
        }
        if hold is not None:
            line |= {"decision": "keep", "why": f"Under {legal_holds.describe(hold)}."}
        elif row.screening_entry_id is not None:
            line |= {
                "decision": "keep",
                "why": "Approached: the screening log entry is part of the trial master file (EU CTR "
                "Art 58); the pool's facts go with the upload's purge.",
            }
        else:
            line |= {
                "decision": "erase_now",
                "why": f"Nothing requires keeping them; they are purged on {until} anyway.",
            }
        erasure.append(line)
    return _plain({"candidates": held, "erasure": erasure})
