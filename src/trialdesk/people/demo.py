"""The people part of the demo portfolio, loaded after studies, sites and participants exist.

Site staff of three sites (CARD-201 101 and 102, ONC-301 102) keep their delegation logs in Trialdesk:
the lines made before go-live are transcribed from the paper log (signed on paper, so not
re-authenticated), newer ones are signed electronically, and one waits for the PI's signature. Some
staff are not trained on the current protocol version (flagged), and one sub-investigator's initial
financial disclosure is overdue. ONC-301 site 101 (the demo coordinator and investigator) has training
records and a disclosure but no log, so every demo login there may still record consent and causality.
"""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from trialdesk.core import records
from trialdesk.core.demo import DEMO_PASSWORD, DemoContext
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.people import rules, selectors, services
from trialdesk.people.models import DelegationEntry
from trialdesk.sites import services as site_services
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

DAY = dt.timedelta(days=1)
PI_TASKS = ["consent", "eligibility", "medical_history", "ae_assessment", "ip_dispensing"]
SUB_I_TASKS = ["consent", "eligibility", "medical_history", "ae_assessment"]
CRC_TASKS = ["consent", "eligibility", "randomization", "crf_entry", "query_resolution"]
NURSE_TASKS = ["sample_handling", "ip_dispensing", "ip_accountability"]

# (study, site): staff as (username, first name, last name, role, role on the study, tasks, trained on
# the current protocol version, has a disclosure on file).
LOGS = {
    ("CARD-201", "101"): (
        ("card101_pi", "Henrik", "Aalto", Role.INVESTIGATOR, "principal_investigator", PI_TASKS, True, True),
        ("card101_subi", "Leila", "Haddad", Role.INVESTIGATOR, "sub_investigator", SUB_I_TASKS, True, True),
        ("card101_crc", "Tomasz", "Nowak", Role.COORDINATOR, "study_coordinator", CRC_TASKS, True, None),
        ("card101_nurse", "Grace", "Mensah", Role.COORDINATOR, "research_nurse", NURSE_TASKS, False, None),
    ),
    ("CARD-201", "102"): (
        (
            "card102_pi",
            "Isabel",
            "Fuentes",
            Role.INVESTIGATOR,
            "principal_investigator",
            PI_TASKS,
            True,
            True,
        ),
        ("card102_crc", "Daniel", "Kim", Role.COORDINATOR, "study_coordinator", CRC_TASKS, False, None),
    ),
    ("ONC-301", "102"): (
        ("onc102_pi", "Marc", "Dubois", Role.INVESTIGATOR, "principal_investigator", PI_TASKS, True, True),
        ("onc102_subi", "Yuki", "Tanaka", Role.INVESTIGATOR, "sub_investigator", SUB_I_TASKS, True, False),
        ("onc102_crc", "Elena", "Rossi", Role.COORDINATOR, "study_coordinator", CRC_TASKS, True, None),
    ),
}


def load_demo(*, today: dt.date, users: dict) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    crm = users["crm"]
    password = make_password(DEMO_PASSWORD)
    for (code, number), staff in LOGS.items():
        site = StudySite.objects.select_related("study", "institution").filter(
            study__code=code, site_number=number
        )
        site = site.first()
        if site is None:
            continue
        _load_site(site, staff, today=today, crm=crm, admin=users["admin"], password=password)
    _load_showcase_site(today=today, users=users)
    link_principal_investigators(today=today, crm=crm, admin=users["admin"])


def link_principal_investigators(*, today: dt.date, crm: User, admin: User) -> None:
    """Every demo site's PI is one of the people (issue 16 §4): the site's investigator login where it has
    one (the delegation log's PI, the demo investigator), else an account without a password for the PI
    the site was set up with, an investigator at that site, trained and with their disclosure on file
    (so that only the people above are flagged); each link through the sites service, audited."""
    sites = StudySite.objects.filter(principal_investigator_person__isnull=True).select_related("study")
    investigators = {}
    for row in RoleAssignment.objects.filter(role=Role.INVESTIGATOR, study_site__isnull=False).order_by("id"):
        investigators.setdefault(row.study_site_id, row.user_id)
    logged_in = {user.pk: user for user in User.objects.filter(pk__in=investigators.values())}
    pis = {
        entry.study_site_id: entry.staff_member
        for entry in DelegationEntry.objects.filter(study_role="principal_investigator").select_related(
            "staff_member"
        )
    }
    unusable = make_password(None)
    outside: dict[str, User] = {}
    for site in sites:
        person = pis.get(site.pk) or logged_in.get(investigators.get(site.pk))
        if person is None:
            person = outside.get(site.principal_investigator) or _outside_investigator(
                site, password=unusable, number=len(outside) + 1
            )
            outside[site.principal_investigator] = person
            assign_role(user=person, role=Role.INVESTIGATOR, study_site=site, by=admin)
            _settle_outside_investigator(person, site, today=today, crm=crm)
        site_services.update_study_site(
            study_site=site,
            changes={"principal_investigator_person": person},
            by=crm,
            reason="The principal investigator linked to their account",
        )


def _settle_outside_investigator(person: User, site: StudySite, *, today: dt.date, crm: User) -> None:
    started = min(site.activated_on or site.planned_activation_on or today, today - DAY)
    versions, current = _versions(site.study)
    _train(
        person, site, today=today, crm=crm, versions=versions, current=current, current_trained=True,
        started=started,
    )  # fmt: skip
    services.record_disclosure(
        study_site=site, investigator=person, occasion="initial", disclosed_on=started,
        has_interests=False, interests=[], by=crm, reason="Collected before participation",
    )  # fmt: skip
    closed_on = selectors.study_closed_on(site.study)
    if closed_on is not None and closed_on < today - DAY:
        services.record_disclosure(
            study_site=site, investigator=person, occasion="study_close",
            disclosed_on=min(closed_on + 14 * DAY, today - DAY), has_interests=False, interests=[], by=crm,
            reason="Collected at close-out",
        )  # fmt: skip


def _outside_investigator(site: StudySite, *, password: str, number: int) -> User:
    """An account for a PI who does not log in to the demo: named as the site names them."""
    name = site.principal_investigator.removeprefix("Dr ").removeprefix("Prof. ").strip()
    first, _, last = name.rpartition(" ")
    return User.objects.create(
        username=f"pi{number:02d}",
        first_name=first,
        last_name=last,
        email=f"pi{number:02d}@demo.trialdesk.invalid",
        password=password,
    )


def _versions(study: Study) -> tuple[list[ProtocolVersion], ProtocolVersion | None]:
    from trialdesk.people.selectors import current_protocol_version

    current = current_protocol_version(study)
    return list(study.protocol_versions.filter(status__in=("approved", "effective", "superseded"))), current


def _train(person, site, *, today, crm, versions, current, current_trained: bool, started: dt.date) -> None:
    common = dict(study=site.study, study_site=site, staff_member=person, by=crm)
    services.record_training(
        kind="gcp", title="ICH E6(R3) Good Clinical Practice", provider="TransCelerate-recognised course",
        completed_on=started - 30 * DAY, expires_on=started + 3 * 365 * DAY, **common,
    )  # fmt: skip
    services.record_training(
        kind="system", title="EDC and IRT user training", completed_on=started - 10 * DAY, **common
    )
    for version in versions:
        if version == current and not current_trained:
            continue
        done_on = max(started - 7 * DAY, version.approved_on or version.version_date)
        services.record_training(
            kind="protocol", protocol_version=version, completed_on=min(done_on, today), **common
        )


def _load_site(site: StudySite, staff, *, today, crm, admin, password) -> None:
    started = site.activated_on or today - 120 * DAY
    versions, current = _versions(site.study)
    people = {}
    for username, first, last, role, study_role, tasks, trained, _ in staff:
        person = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.trialdesk.invalid",
            password=password,
        )
        assign_role(user=person, role=role, study_site=site, by=admin)
        _train(
            person, site, today=today, crm=crm, versions=versions, current=current, current_trained=trained,
            started=started,
        )  # fmt: skip
        people[username] = (person, study_role, tasks)
    pi = next(person for person, study_role, _ in people.values() if study_role == "principal_investigator")
    for index, (person, study_role, tasks) in enumerate(people.values()):
        _transcribe(site, person, study_role, tasks, starts_on=started, signer=pi, by=crm, index=index)
    _electronic_lines(site, people, pi=pi, today=today, crm=crm)
    _disclosures(site, staff, people, started=started, crm=crm)


def _transcribe(site, person, study_role, tasks, *, starts_on, signer, by, index) -> DelegationEntry:
    """A line of the paper log from before go-live: signed by the PI on paper, so not re-authenticated."""
    signed_at = timezone.make_aware(dt.datetime.combine(starts_on, dt.time(9, index)), site.zone)
    entry = DelegationEntry(
        study=site.study,
        study_site=site,
        staff_member=person,
        study_role=study_role,
        tasks=list(tasks),
        starts_on=starts_on,
        signed_by=signer,
        signed_at=signed_at,
        meaning=rules.DELEGATION_MEANING,
        reauthenticated=False,
    )
    return records.create_record(entry, by=by, reason="Transcribed from the paper delegation log at go-live")


def _electronic_lines(site, people, *, pi, today, crm) -> None:
    """After go-live: a trained coordinator gets data queries signed electronically; one line waits."""
    coordinators = [p for p, role, _ in people.values() if role == "study_coordinator"]
    for person in coordinators:
        try:
            entry = services.create_delegation(
                study_site=site, staff_member=person, study_role="study_coordinator",
                tasks=["sample_handling"], starts_on=today - 14 * DAY, by=crm,
                reason="Backup for sample processing",
            )  # fmt: skip
        except ValidationError:  # a coordinator not trained on the current version is refused: shown as such
            continue
        if site.site_number == "101":
            services.sign_delegation(entry=entry, password=DEMO_PASSWORD, by=pi)


def _disclosures(site, staff, people, *, started, crm) -> None:
    for username, *_, on_file in staff:
        if not on_file:
            continue
        person = people[username][0]
        interests = []
        if username.endswith("_pi") and site.site_number == "101":
            interests = [
                {
                    "kind": "significant_payment",
                    "amount_band": "over_25k_to_50k",
                    "description": "Advisory board fees",
                }
            ]
        services.record_disclosure(
            study_site=site, investigator=person, occasion="initial", disclosed_on=started - 14 * DAY,
            has_interests=bool(interests), interests=interests, by=crm,
            reason="Collected before participation",
        )  # fmt: skip


def _load_showcase_site(*, today, users) -> None:
    """ONC-301 site 101: the demo investigator is trained; the demo coordinator lacks the current version."""
    site = StudySite.objects.select_related("study", "institution").filter(
        study__code="ONC-301", site_number="101"
    )
    site = site.first()
    if site is None or "investigator" not in users or "coordinator" not in users:
        return
    versions, current = _versions(site.study)
    started = site.activated_on or today - 120 * DAY
    crm = users["crm"]
    for username, trained in (("investigator", True), ("coordinator", False)):
        _train(
            users[username], site, today=today, crm=crm, versions=versions, current=current,
            current_trained=trained, started=started,
        )  # fmt: skip
    services.record_disclosure(
        study_site=site, investigator=users["investigator"], occasion="initial", disclosed_on=today,
        has_interests=True,
        interests=[
            {
                "kind": "equity_interest",
                "amount_band": "up_to_25k",
                "publicly_traded": True,
                "description": "Shares in the sponsor",
            }
        ],
        by=crm, reason="Collected before participation",
    )  # fmt: skip


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders): this area's records for the demo people."""
    load_demo(today=demo.today, users=demo.users)
