"""When a substantial amendment may be implemented, as tables: the authority's authorisation (EU CTR
Art. 15–23, UK SI 2004/1031 reg. 24, Canada C.05.008), its deemed acceptance after the legal period, or
submission alone (US 21 CFR 312.30(b)); and the site's checklist and gates that follow it.

A period "of 35 days from the date of receipt" ends with its 35th day: a notice received on 1 March 2025
is deemed accepted on 6 April 2025 when the MHRA has stated no grounds for non-acceptance.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.regulatory import country_rules
from trialdesk.regulatory.rules import authorisation, checklists
from trialdesk.regulatory.rules.checklists import BLOCKED, DONE, NOT_REQUIRED, PENDING, SiteAmendmentFacts

D = dt.date
Decision = authorisation.AuthorityDecision


def law(country: str, on: dt.date = D(2025, 3, 1)) -> authorisation.AmendmentLaw:
    return country_rules.rules_for(country).amendment_law(on)


@pytest.mark.parametrize(
    ("country", "on", "needs", "deemed_after", "cites", "verified"),
    [
        ("DE", D(2025, 3, 1), "authorisation", None, "Regulation (EU) No 536/2014, Art. 15", False),
        ("GB", D(2026, 4, 27), "authorisation", 35, "SI 2004/1031, reg. 24", True),
        ("GB", D(2026, 4, 28), "authorisation", None, "SI 2025/538", False),  # in force 28 April 2026
        ("CA", D(2025, 3, 1), "authorisation", 30, "C.05.008", False),
        ("US", D(2025, 3, 1), "submission", None, "21 CFR 312.30(b)", False),
        ("AU", D(2025, 3, 1), "none", None, "reg. 12AD", False),
    ],
)
def test_each_country_says_what_its_authority_must_do(country, on, needs, deemed_after, cites, verified):
    found = law(country, on)
    assert (found.needs, found.deemed_after_days, found.verified) == (needs, deemed_after, verified)
    assert cites in found.citation and found.source


@pytest.mark.parametrize(
    ("country", "decisions", "today", "authorised_on"),
    [
        # UK, reg. 24(5): no grounds for non-acceptance within 35 days of receipt: accepted on day 36
        ("GB", [Decision(D(2025, 3, 1))], D(2025, 4, 5), None),
        ("GB", [Decision(D(2025, 3, 1))], D(2025, 4, 6), D(2025, 4, 6)),
        ("GB", [Decision(D(2025, 3, 1), "approved", D(2025, 3, 20))], D(2025, 3, 20), D(2025, 3, 20)),
        ("GB", [Decision(D(2025, 3, 1), "rejected", D(2025, 3, 30))], D(2025, 6, 1), None),  # never deemed
        # Canada, C.05.008: no objection within 30 days
        ("CA", [Decision(D(2025, 3, 1))], D(2025, 4, 1), D(2025, 4, 1)),
        ("CA", [Decision(D(2025, 3, 1))], D(2025, 3, 31), None),
        # EU CTR: an authorisation is recorded, also a tacit one ("deemed approved") with its date
        ("DE", [Decision(D(2025, 3, 1))], D(2026, 1, 1), None),  # no deemed period computed
        ("DE", [Decision(D(2025, 3, 1), "approved", D(2025, 4, 20))], D(2025, 5, 1), D(2025, 4, 20)),
        ("DE", [Decision(D(2025, 3, 1), "deemed_approved", D(2025, 4, 25))], D(2025, 5, 1), D(2025, 4, 25)),
        ("DE", [], D(2025, 5, 1), None),  # not submitted
    ],
)
def test_the_authoritys_authorisation_or_deemed_acceptance(country, decisions, today, authorised_on):
    found = authorisation.authority_authorisation(law(country), decisions, today=today)
    assert found.on == authorised_on


def test_a_deemed_acceptance_says_when_and_why():
    found = authorisation.authority_authorisation(law("GB"), [Decision(D(2025, 3, 1))], today=D(2025, 5, 1))
    assert found.detail.startswith("deemed accepted 2025-04-06: no objection within 35 days")
    waiting = authorisation.authority_authorisation(law("GB"), [Decision(D(2025, 3, 1))], today=D(2025, 3, 2))
    assert waiting.detail == "deemed accepted on 2025-04-06 unless the authority objects"


@pytest.mark.parametrize(
    ("ethics", "needed", "authorised", "used_on", "allowed"),
    [
        (D(2025, 3, 10), False, None, D(2025, 3, 10), True),  # US: IRB approval and submission to FDA
        (D(2025, 3, 10), True, None, D(2025, 3, 10), False),  # EU: not on submission
        (D(2025, 3, 10), True, D(2025, 4, 6), D(2025, 4, 5), False),
        (D(2025, 3, 10), True, D(2025, 4, 6), D(2025, 4, 6), True),
        (None, True, D(2025, 4, 6), D(2025, 5, 1), False),  # the ethics approval too
        (D(2025, 3, 10), True, D(2025, 3, 1), D(2025, 3, 9), False),
    ],
)
def test_a_new_version_is_used_only_once_both_allow_it(ethics, needed, authorised, used_on, allowed):
    problem = authorisation.use_problem(
        ethics_approved_on=ethics,
        authorisation_needed=needed,
        authorised_on=authorised,
        used_on=used_on,
        version="2.0",
        what="its consent version",
    )
    assert (problem is None) is allowed
    first = authorisation.implementable_from(
        ethics_approved_on=ethics, authorisation_needed=needed, authorised_on=authorised
    )
    assert (first is not None and used_on >= first) is allowed


@given(
    st.one_of(st.none(), st.dates(D(2024, 1, 1), D(2027, 1, 1))),
    st.booleans(),
    st.one_of(st.none(), st.dates(D(2024, 1, 1), D(2027, 1, 1))),
    st.dates(D(2024, 1, 1), D(2027, 1, 1)),
    st.integers(1, 60),
)
def test_never_implemented_before_the_ethics_approval_or_the_authorisation(
    ethics, needed, authorised, submitted, days
):
    first = authorisation.implementable_from(
        ethics_approved_on=ethics, authorisation_needed=needed, authorised_on=authorised
    )
    if first is not None:
        assert first >= ethics
        if needed:
            assert first >= authorised
    assert authorisation.deemed_on(submitted, days) == submitted + dt.timedelta(days=days + 1)


# --- the site's checklist follows it ---------------------------------------------------------------


def states(facts: SiteAmendmentFacts) -> dict[str, str]:
    return {i.item: i.state for i in checklists.amendment_checklist(facts)}


EU_APPROVED_BY_EC = dict(
    ec_submitted_on=D(2025, 3, 1),
    authority_required=True,
    authority_submitted_on=D(2025, 3, 1),
    ec_approved_on=D(2025, 3, 20),
    authorisation_required=True,
    reconsent_pending=2,
    changes_schedule=True,
)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # EU site: the ethics committee approved, the Member State has not authorised: nothing is used yet
        (
            SiteAmendmentFacts(**EU_APPROVED_BY_EC, authority_detail="awaiting"),
            dict(authority_approval=PENDING, consent_approval=BLOCKED, reconsent=BLOCKED, schedule=BLOCKED),
        ),
        (
            SiteAmendmentFacts(**EU_APPROVED_BY_EC, authorised_on=D(2025, 4, 20)),
            dict(authority_approval=DONE, consent_approval=PENDING, reconsent=BLOCKED, schedule=PENDING),
        ),
        # US site: submitted to FDA, no authorisation to wait for
        (
            SiteAmendmentFacts(**{**EU_APPROVED_BY_EC, "authorisation_required": False}),
            dict(
                authority_approval=NOT_REQUIRED, consent_approval=PENDING, reconsent=BLOCKED, schedule=PENDING
            ),
        ),
        # UK site not yet submitted to the MHRA
        (
            SiteAmendmentFacts(**{**EU_APPROVED_BY_EC, "authority_submitted_on": None}),
            dict(authority_approval=BLOCKED, consent_approval=BLOCKED, reconsent=BLOCKED, schedule=BLOCKED),
        ),
    ],
)
def test_the_checklist_waits_for_the_authority_where_the_law_does(facts, expected):
    found = states(facts)
    assert {item: found[item] for item in expected} == expected


def test_a_blocked_item_says_it_awaits_the_authority():
    items = {i.item: i for i in checklists.amendment_checklist(SiteAmendmentFacts(**EU_APPROVED_BY_EC))}
    assert items["consent_approval"].detail == "awaiting the authority's authorisation"
    assert items["ec_approval"].state == DONE


def test_retraining_is_unknown_not_done_where_nobody_is_known_at_the_site():
    found = states(SiteAmendmentFacts(training_gaps=None))
    assert found["retraining"] == checklists.UNKNOWN
    assert states(SiteAmendmentFacts(training_gaps=2))["retraining"] == PENDING
    assert states(SiteAmendmentFacts(training_gaps=0))["retraining"] == DONE


@given(
    st.builds(
        SiteAmendmentFacts,
        ec_approved_on=st.one_of(st.none(), st.just(D(2025, 3, 20))),
        authorisation_required=st.booleans(),
        authorised_on=st.one_of(st.none(), st.just(D(2025, 4, 20))),
        authority_submitted_on=st.one_of(st.none(), st.just(D(2025, 3, 1))),
        changes_consent=st.booleans(),
        changes_schedule=st.booleans(),
        reconsent_pending=st.integers(0, 3),
    )
)
def test_nothing_using_the_new_version_is_pending_before_it_may_be_implemented(facts):
    found = states(facts)
    implementable = facts.ec_approved_on is not None and (
        not facts.authorisation_required or facts.authorised_on is not None
    )
    if not implementable:
        assert found["consent_approval"] in (BLOCKED, NOT_REQUIRED)
        assert found["reconsent"] in (BLOCKED, NOT_REQUIRED)
        assert found["schedule"] in (BLOCKED, NOT_REQUIRED)
