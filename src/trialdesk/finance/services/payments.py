"""Payment runs: lines selected per site, approved with an electronic signature, marked paid (issue 15 §2)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import esign, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.finance.models import PayableLine, PaymentRun, RunStatus
from trialdesk.finance.permissions import ONLY_MANAGERS, can_manage_finance
from trialdesk.finance.rules import money
from trialdesk.finance.services import duties, payables

APPROVAL_MEANING = "I approve this payment to the site for the lines listed."


def _next_number(study) -> str:
    count = PaymentRun.objects.filter(study=study).count()
    return f"PR-{count + 1:04d}"


@transaction.atomic
def create_payment_run(*, study_site, line_ids, by: User, note: str = "") -> PaymentRun:
    """A draft run paying the selected lines of one site. Refused, naming `lines`, when a line is not
    the site's, is already in a run that is not cancelled (paid, approved or another draft), or when
    the lines are in more than one currency; nothing is saved then."""
    require(can_manage_finance(by, study_site.study_id), gettext(ONLY_MANAGERS))
    wanted = sorted({int(pk) for pk in line_ids or ()})
    if not wanted:
        raise ValidationError({"lines": gettext("Select at least one payable line.")})
    lines = list(
        PayableLine.objects.select_for_update(of=("self",))  # not the run joined beside (PostgreSQL)
        .filter(pk__in=wanted)
        .select_related("payment_run")
        .order_by("id")
    )
    problems = _line_problems(study_site, wanted, lines)
    if problems:
        raise ValidationError({"lines": problems})
    run = PaymentRun(
        study_id=study_site.study_id,
        study_site=study_site,
        number=_next_number(study_site.study),
        currency=lines[0].currency,
        total=sum((line.payable for line in lines), money.ZERO),
        line_count=len(lines),
        note=note,
    )
    records.create_record(run, by=by, reason=f"payment run of {len(lines)} lines")
    for line in lines:
        records.update_record(line, changes={"payment_run": run}, by=by, reason=f"added to {run.number}")
    payables.refresh_months(study_site.study_id, [study_site.pk])
    return run


def _line_problems(study_site, wanted: list[int], lines: list[PayableLine]) -> list[str]:
    problems = []
    found = {line.pk for line in lines}
    unknown = [pk for pk in wanted if pk not in found]
    if unknown:
        problems.append(
            gettext("There is no payable line %(lines)s.") % {"lines": ", ".join(f"#{pk}" for pk in unknown)}
        )
    for line in lines:
        if line.study_site_id != study_site.pk:
            problems.append(gettext("Line #%(line)s is another site's.") % {"line": line.pk})
        elif line.payment_run_id and line.payment_run.status != RunStatus.CANCELLED:
            run = line.payment_run
            if run.status == RunStatus.PAID:
                problem = gettext("Line #%(line)s is already paid %(run)s.")
            elif run.status == RunStatus.DRAFT:
                problem = gettext("Line #%(line)s is already in draft run %(run)s.")
            else:
                problem = gettext("Line #%(line)s is already in approved run %(run)s.")
            problems.append(problem % {"line": line.pk, "run": run.number})
    if len({line.currency for line in lines}) > 1:
        problems.append(gettext("The lines are in more than one currency; pay each currency in its own run."))
    return problems


@transaction.atomic
def approve_payment_run(
    *, run: PaymentRun, by: User, password: str, expected_version: int | None = None
) -> PaymentRun:
    """Approve a draft run with the approver's electronic signature (password re-entered, 21 CFR 11.200).
    Refused, naming `approved_by`, to whoever drafted the run (segregation of duties: services.duties)."""
    require(can_manage_finance(by, run.study_id), gettext(ONLY_MANAGERS))
    if run.status != RunStatus.DRAFT:
        raise ValidationError(
            {
                "status": gettext("Only a draft run is approved; this one is %(status)s.")
                % {"status": gettext(run.get_status_display()).lower()}
            }
        )
    duties.refuse_own(run, by=by, field="approved_by", message=duties.OWN_RUN)
    esign.reauthenticate(by, password)
    return records.update_record(
        run,
        changes={
            "status": RunStatus.APPROVED,
            "approved_by": by,
            "approved_at": timezone.now(),
            "signature_meaning": APPROVAL_MEANING,
        },
        by=by,
        reason=f"approved with electronic signature: {APPROVAL_MEANING}",
        expected_version=expected_version,
        action="approved",
    )


@transaction.atomic
def mark_run_paid(
    *,
    run: PaymentRun,
    by: User,
    paid_on: dt.date,
    payment_reference: str,
    expected_version: int | None = None,
) -> PaymentRun:
    require(can_manage_finance(by, run.study_id), gettext(ONLY_MANAGERS))
    errors = {}
    if run.status != RunStatus.APPROVED:
        errors["status"] = gettext("Only an approved run is marked paid; this one is %(status)s.") % {
            "status": gettext(run.get_status_display()).lower()
        }
    if not (payment_reference or "").strip():
        errors["payment_reference"] = gettext("Give the payment reference (the bank transfer's reference).")
    if paid_on is None:
        errors["paid_on"] = gettext("Give the payment date.")
    elif paid_on > run.study_site.local_today():
        errors["paid_on"] = gettext("The payment date is in the future.")
    elif run.approved_at and paid_on < run.approved_at.astimezone(run.study_site.zone).date():
        errors["paid_on"] = gettext("The payment cannot predate the run's approval.")
    if errors:
        raise ValidationError(errors)
    return records.update_record(
        run,
        changes={
            "status": RunStatus.PAID,
            "paid_on": paid_on,
            "payment_reference": payment_reference.strip(),
        },
        by=by,
        reason=f"paid, reference {payment_reference.strip()}",
        expected_version=expected_version,
        action="paid",
    )


@transaction.atomic
def cancel_payment_run(
    *, run: PaymentRun, by: User, reason: str, expected_version: int | None = None
) -> PaymentRun:
    """Cancel a run not yet paid: its lines may go into another run."""
    require(can_manage_finance(by, run.study_id), gettext(ONLY_MANAGERS))
    if run.status in (RunStatus.PAID, RunStatus.CANCELLED):
        raise ValidationError(
            {
                "status": gettext("A %(status)s run cannot be cancelled.")
                % {"status": gettext(run.get_status_display()).lower()}
            }
        )
    return records.update_record(
        run,
        changes={"status": RunStatus.CANCELLED},
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="cancelled",
    )
