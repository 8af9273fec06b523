"""A site's amendment implementation checklist and its activation checklist, item by item."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext

# Checklist item states, shown as they are.
DONE = "done"
PENDING = "pending"
BLOCKED = "blocked"
NOT_REQUIRED = "not_required"
UNKNOWN = "unknown"
TO_CHECK = "to_check"


# --- amendment implementation checklist -------------------------------------------------------

ITEMS = (
    ("ec_submission", _("Submitted to the ethics committee")),
    ("authority_submission", _("Submitted to the authority")),
    ("ec_approval", _("Ethics approval received")),
    ("authority_approval", _("Authorised by the authority (or deemed accepted)")),
    ("consent_approval", _("New consent version approved at the site")),
    ("reconsent", _("Participants re-consented")),
    ("retraining", _("Site staff trained on the new version")),
    ("documents", _("Essential documents updated")),
    ("schedule", _("New visit schedule applied")),
)
ITEM_LABELS = dict(ITEMS)


@dataclass(frozen=True)
class SiteAmendmentFacts:
    """What is known at one site about one amendment; counts of None mean the source is not available.

    `authority_required`: the country wants the amendment submitted to its authority;
    `authorisation_required`: and implemented only once authorised (or deemed accepted), which
    `authorised_on` records (`authority_detail` says how, or what is awaited, with the citation).
    """

    ec_submitted_on: date | None = None
    authority_required: bool = False
    authority_submitted_on: date | None = None
    ec_approved_on: date | None = None
    authorisation_required: bool = False
    authorised_on: date | None = None
    authority_detail: str = ""
    changes_consent: bool = True
    consent_version_exists: bool = True
    consent_approved_on: date | None = None
    reconsent_pending: int = 0
    training_gaps: int | None = 0
    outstanding_documents: int | None = 0
    changes_schedule: bool = False
    schedule_applied_on: date | None = None


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a site's amendment checklist: its state and a short word on it."""

    item: str
    state: str
    detail: str = ""
    # Items other apps add (core.extensions.amendment_checklist_items) carry their own label.
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or ITEM_LABELS[self.item]


def _counted(count: int | None, *, none_left: str, some: Callable[[int], str]) -> tuple[str, str]:
    """(state, detail) of a counted item; `some` words a count above zero."""
    if count is None:
        return UNKNOWN, _("not yet recorded in Trialdesk")
    if count == 0:
        return DONE, none_left
    return PENDING, some(count)


def _to_train(n: int) -> str:
    return ngettext("%(n)s to train", "%(n)s to train", n) % {"n": n}


def _outstanding(n: int) -> str:
    return ngettext("%(n)s outstanding", "%(n)s outstanding", n) % {"n": n}


def amendment_checklist(f: SiteAmendmentFacts) -> list[ChecklistItem]:
    """A site's amendment implementation checklist, derived from the facts.

    Nothing that uses the new version (consent, schedule, re-consent) can be done before the site's
    ethics approval of it and, where the country's law asks for it, the authority's authorisation (or its
    deemed acceptance): those items are `blocked` until then, saying which is awaited.
    """
    approved = f.ec_approved_on is not None and (not f.authorisation_required or f.authorised_on is not None)
    awaiting = (
        _("awaiting ethics approval")
        if f.ec_approved_on is None
        else _("awaiting the authority's authorisation")
    )
    items = [
        ChecklistItem("ec_submission", DONE, _on(f.ec_submitted_on))
        if f.ec_submitted_on or approved
        else ChecklistItem("ec_submission", PENDING),
    ]
    if not f.authority_required:
        items.append(ChecklistItem("authority_submission", NOT_REQUIRED, _("not required in this country")))
    elif f.authority_submitted_on:
        items.append(ChecklistItem("authority_submission", DONE, _on(f.authority_submitted_on)))
    else:
        items.append(ChecklistItem("authority_submission", PENDING))
    if f.ec_approved_on is not None:
        items.append(ChecklistItem("ec_approval", DONE, _on(f.ec_approved_on)))
    else:
        submitted = f.ec_submitted_on is not None
        items.append(
            ChecklistItem(
                "ec_approval", PENDING if submitted else BLOCKED, "" if submitted else _("not submitted")
            )
        )
    items.append(_authorisation_item(f))
    items.extend(_consent_items(f, approved, awaiting))
    if f.training_gaps is None:
        # No delegation log and no coordinator or investigator known at the site: never "done".
        items.append(ChecklistItem("retraining", UNKNOWN, _("no site staff known to Trialdesk")))
    else:
        items.append(ChecklistItem("retraining", *_counted(f.training_gaps, none_left="", some=_to_train)))
    items.append(
        ChecklistItem("documents", *_counted(f.outstanding_documents, none_left="", some=_outstanding))
    )
    if not f.changes_schedule:
        items.append(ChecklistItem("schedule", NOT_REQUIRED, _("the amendment keeps the schedule")))
    elif f.schedule_applied_on:
        items.append(ChecklistItem("schedule", DONE, _on(f.schedule_applied_on)))
    else:
        items.append(
            ChecklistItem("schedule", PENDING if approved else BLOCKED, "" if approved else awaiting)
        )
    return items


def _authorisation_item(f: SiteAmendmentFacts) -> ChecklistItem:
    if not f.authorisation_required:
        detail = _("not needed before implementation in this country") if f.authority_required else ""
        return ChecklistItem("authority_approval", NOT_REQUIRED, detail or _("not required in this country"))
    if f.authorised_on is not None:
        return ChecklistItem("authority_approval", DONE, f.authority_detail or _on(f.authorised_on))
    submitted = f.authority_submitted_on is not None
    return ChecklistItem(
        "authority_approval",
        PENDING if submitted else BLOCKED,
        f.authority_detail if submitted else _("not submitted"),
    )


def _consent_items(f: SiteAmendmentFacts, approved: bool, awaiting: str) -> list[ChecklistItem]:
    if not f.changes_consent:
        return [
            ChecklistItem("consent_approval", NOT_REQUIRED, _("the amendment keeps the consent form")),
            ChecklistItem("reconsent", NOT_REQUIRED, _("the amendment keeps the consent form")),
        ]
    if f.consent_approved_on:
        consent = ChecklistItem("consent_approval", DONE, _on(f.consent_approved_on))
    elif not approved:
        consent = ChecklistItem("consent_approval", BLOCKED, awaiting)
    elif not f.consent_version_exists:
        consent = ChecklistItem(
            "consent_approval", PENDING, _("no consent version for this protocol version yet")
        )
    else:
        consent = ChecklistItem("consent_approval", PENDING)
    if not f.consent_approved_on:
        n = f.reconsent_pending
        detail = ngettext("%(n)s waiting for the new consent", "%(n)s waiting for the new consent", n)
        reconsent = ChecklistItem("reconsent", BLOCKED, detail % {"n": n})
    elif f.reconsent_pending:
        n = f.reconsent_pending
        detail = ngettext("%(n)s to re-consent", "%(n)s to re-consent", n) % {"n": n}
        reconsent = ChecklistItem("reconsent", PENDING, detail)
    else:
        reconsent = ChecklistItem("reconsent", DONE)
    return [consent, reconsent]


def _on(day: date | None) -> str:
    return day.isoformat() if day else ""


def checklist_progress(items: Iterable[ChecklistItem]) -> tuple[int, int]:
    """(items done, items that apply) of a checklist."""
    applicable = [i for i in items if i.state != NOT_REQUIRED]
    return sum(1 for i in applicable if i.state == DONE), len(applicable)


# --- site activation checklist ----------------------------------------------------------------


@dataclass(frozen=True)
class ActivationItem:
    """One thing needed before a site is activated, where the rule comes from, and whether it is met."""

    label: str
    citation: str
    state: str
    detail: str = ""


def activation_checklist(
    *,
    country_submissions: Sequence[dict],
    country_name: str,
    ethics_approved_on: date | None,
    authority_approved_on: date | None,
    consent_approved: bool,
    principal_investigator: str,
) -> list[ActivationItem]:
    """What a site needs before activation: the study's own needs, then each submission its country's
    rules ask for (ethics ones met by a recorded ethics approval, authority ones by an authority's
    approval or acknowledgement; sponsor, site and registry steps are checked by hand)."""
    items = [
        ActivationItem(
            _("Principal investigator named"),
            "ICH E6(R3) 2.1 (investigator qualifications)",
            DONE if principal_investigator.strip() else PENDING,
        ),
        ActivationItem(
            _("Consent form approved at the site"),
            "ICH E6(R3) 2.8 (informed consent)",
            DONE if consent_approved else PENDING,
        ),
    ]
    if not country_submissions:
        items.append(
            ActivationItem(
                f"No country rules ship for {country_name}",
                "",
                TO_CHECK,
                _("check the national requirements"),
            )
        )
    for rule in country_submissions:
        recipient = rule.get("recipient")
        if recipient == "ethics":
            met = ethics_approved_on
        elif recipient == "authority":
            met = authority_approved_on
        else:
            items.append(
                ActivationItem(rule["label"], rule.get("citation", ""), TO_CHECK, _("checked by hand"))
            )
            continue
        items.append(
            ActivationItem(rule["label"], rule.get("citation", ""), DONE if met else PENDING, _on(met))
        )
    return items
