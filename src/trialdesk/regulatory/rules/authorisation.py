"""When a substantial amendment may be implemented at a site as the law of its country has it: after the
authority's authorisation (EU, UK, Canada, India), its deemed acceptance once the legal period has passed
without objection where the law has one, or on submission alone (US: 21 CFR 312.30(b)).

A deemed acceptance counts from the day after the period: a period "of 35 days from the date of receipt"
(SI 2004/1031, reg. 24(5)) ends with its 35th day, so a notice received on 1 March is deemed accepted on
6 April. The submission date stands for the date of receipt (the earliest it can be).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext

from trialdesk.regulatory.rules.oversight import APPROVING_OUTCOMES

AUTHORISATION = "authorisation"
SUBMISSION = "submission"
NONE = "none"


@dataclass(frozen=True)
class AmendmentLaw:
    """What a country's law asks of the authority before a substantial amendment is implemented."""

    needs: str  # AUTHORISATION, SUBMISSION or NONE
    deemed_after_days: int | None
    what: str
    citation: str
    verified: bool
    source: str = ""
    in_force_from: date | None = None
    in_force_until: date | None = None


@dataclass(frozen=True)
class AuthorityDecision:
    """An amendment's submission to an authority covering the site, and its decision so far."""

    submitted_on: date
    outcome: str = ""  # "" while awaiting
    decided_on: date | None = None


@dataclass(frozen=True)
class Authorisation:
    """Whether and from when the authority's side of an amendment allows implementation, in words."""

    on: date | None
    detail: str


def deemed_on(submitted_on: date, days: int) -> date:
    """The first day a notice is deemed accepted: the day after `days` days from its receipt."""
    return submitted_on + timedelta(days=days + 1)


def authority_authorisation(
    law: AmendmentLaw, decisions: Sequence[AuthorityDecision], *, today: date
) -> Authorisation:
    """The authority's authorisation of an amendment at a site: the earliest approval recorded, else the
    earliest deemed acceptance of a submission still without a decision whose period has run out by
    `today`. A rejection (or any recorded objection) is never deemed accepted."""
    approved = [d.decided_on for d in decisions if d.outcome in APPROVING_OUTCOMES and d.decided_on]
    if approved:
        return Authorisation(min(approved), gettext("authorised %(on)s") % {"on": min(approved).isoformat()})
    if law.deemed_after_days is not None:
        deemed = [deemed_on(d.submitted_on, law.deemed_after_days) for d in decisions if not d.outcome]
        passed = [day for day in deemed if day <= today]
        if passed:
            return Authorisation(
                min(passed),
                gettext("deemed accepted %(on)s: no objection within %(days)s days (%(citation)s)")
                % {"on": min(passed).isoformat(), "days": law.deemed_after_days, "citation": law.citation},
            )
        if deemed:
            unless = gettext("deemed accepted on %(on)s unless the authority objects")
            return Authorisation(None, unless % {"on": min(deemed).isoformat()})
    if any(d.outcome for d in decisions):
        return Authorisation(None, gettext("not authorised (decision recorded)"))
    return Authorisation(
        None, gettext("awaiting the authority's authorisation (%(citation)s)") % {"citation": law.citation}
    )


def implementable_from(
    *, ethics_approved_on: date | None, authorisation_needed: bool, authorised_on: date | None
) -> date | None:
    """The first day a site may implement the amendment: its ethics approval, and the authority's
    authorisation (or deemed acceptance) where the law asks for one; None while either is missing."""
    if ethics_approved_on is None:
        return None
    if not authorisation_needed:
        return ethics_approved_on
    if authorised_on is None:
        return None
    return max(ethics_approved_on, authorised_on)


def use_problem(
    *,
    ethics_approved_on: date | None,
    authorisation_needed: bool,
    authorised_on: date | None,
    used_on: date,
    version: str,
    what: str,
    citation: str = "",
) -> str | None:
    """Why a site may not use protocol `version` (its consent or schedule) on `used_on`, or None."""
    if ethics_approved_on is None:
        return gettext(
            "The site's ethics approval of protocol v%(version)s is not recorded: %(what)s may not be "
            "used yet."
        ) % {"version": version, "what": what}
    if used_on < ethics_approved_on:
        return gettext(
            "The site's ethics approval of protocol v%(version)s is dated %(on)s: %(what)s may not be used "
            "before it."
        ) % {"version": version, "on": ethics_approved_on.isoformat(), "what": what}
    if not authorisation_needed:
        return None
    law = f" ({citation})" if citation else ""
    if authorised_on is None:
        return gettext(
            "The authority has not authorised protocol v%(version)s for this site%(law)s: %(what)s may "
            "not be used before its authorisation or deemed acceptance."
        ) % {"version": version, "law": law, "what": what}
    if used_on < authorised_on:
        return gettext(
            "The authority's authorisation of protocol v%(version)s takes effect on %(on)s%(law)s: "
            "%(what)s may not be used before it."
        ) % {"version": version, "on": authorised_on.isoformat(), "law": law, "what": what}
    return None
