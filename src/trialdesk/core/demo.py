"""The demo's logins and the context every app's demo loader shares (`trialdesk demo`).

One person per role of SPEC.md, each assigned where that role is granted; the apps' loaders
(core.extensions.demo_loaders) add the records, each from its own seed.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role

# Printed by `make run`; a demo database is for trying Trialdesk out, never for real data.
DEMO_PASSWORD = "trialdesk-demo"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    studies: tuple[str, ...] = ()  # study-level assignments, by protocol number ("*": every demo study)
    sites: tuple[tuple[str, str], ...] = ()  # site-level assignments: (protocol number, site number)
    language: str = ""  # issue 20 §6: the pages in this person's language ("": the browser's)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("admin", "Morgan", "Reyes", Role.ADMINISTRATOR),
    DemoPerson("crm", "Anna", "Lindqvist", Role.CRM, studies=("*",)),
    DemoPerson(
        "monitor",
        "Mia",
        "Schneider",
        Role.MONITOR,
        sites=(
            ("ONC-301", "101"),
            ("ONC-301", "102"),
            ("ONC-301", "103"),
            ("ONC-301", "104"),
            ("CARD-201", "101"),
            ("CARD-201", "102"),
        ),
    ),
    # The site staff of ONC-301 site 101 work in German and Japanese: the demo's site pages in two languages.
    DemoPerson(
        "coordinator",
        "Carl",
        "Okafor",
        Role.COORDINATOR,
        sites=(("ONC-301", "101"), ("DEV-401", "101")),
        language="de",
    ),
    DemoPerson(
        "investigator", "Priya", "Raman", Role.INVESTIGATOR, sites=(("ONC-301", "101"),), language="ja"
    ),
    DemoPerson("safety", "Sofia", "Marchetti", Role.SAFETY, studies=("ONC-301", "ONC-102", "NEURO-302")),
    DemoPerson("finance", "Felix", "Brandt", Role.FINANCE, studies=("ONC-301", "CARD-201", "DEV-401")),
    DemoPerson("sponsor", "Sam", "Whitaker", Role.SPONSOR_VIEWER, studies=("ONC-301", "ONC-102")),
    DemoPerson("auditor", "Ada", "Novak", Role.AUDITOR, studies=("ONC-301", "RESP-203")),
    DemoPerson("dpo", "Dana", "Okafor-Lind", Role.DPO, studies=("ONC-301", "CARD-201")),
    DemoPerson("supply", "Sven", "Holm", Role.SUPPLY_MANAGER, studies=("ONC-301",)),
)


SEED = 20_250_611
DAY = dt.timedelta(days=1)


@dataclass
class DemoContext:
    """What the demo loaders share: the day of loading, the demo users, and what earlier steps made.

    `made` holds what one step leaves for later ones, under names the two agree on (e.g. "studies":
    {code: Study}). Choices come from `rng(name)`, a generator seeded by the step's own name, so one
    step's draws never shift another's.
    """

    today: dt.date
    progress: Callable[[str], None] = lambda description: None
    users: dict[str, User] = field(default_factory=dict)
    made: dict = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)

    @property
    def last_actual_day(self) -> dt.date:
        # Actual dates stop at yesterday: west of UTC the site's local day may not have reached today.
        return self.today - DAY

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{SEED}/{name}")

    @property
    def admin(self) -> User:
        return self.users["admin"]

    @property
    def crm(self) -> User:
        return self.users["crm"]


def load_people(demo: DemoContext) -> None:
    """The demo logins (one password hash for all: Argon2 is slow on purpose, the password public)."""
    password = make_password(DEMO_PASSWORD)
    for person in PEOPLE:
        is_admin = person.role == Role.ADMINISTRATOR
        demo.users[person.username] = User.objects.create(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@demo.trialdesk.invalid",
            password=password,
            is_superuser=is_admin,
            is_staff=is_admin,
            language=person.language,
        )
    assign_role(user=demo.admin, role=Role.ADMINISTRATOR, by=None)
    demo.summary.append(f"{len(PEOPLE)} logins")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope: str


def demo_logins() -> list[DemoLogin]:
    """The demo people present in the database, with where each one's role applies."""
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    return [
        DemoLogin(
            person.username, DEMO_PASSWORD, Role(person.role).label, _scope(person, users[person.username])
        )
        for person in PEOPLE
        if person.username in users
    ]


def _scope(person: DemoPerson, user: User) -> str:
    assignments = RoleAssignment.objects.filter(user=user).select_related("study", "study_site__study")
    studies = sorted(a.study.code for a in assignments if a.study_id and not a.study_site_id)
    sites: dict[str, list[str]] = {}
    for a in assignments:
        if a.study_site_id:
            sites.setdefault(a.study_site.study.code, []).append(a.study_site.site_number)
    parts = []
    if any(a.scope == "global" for a in assignments):
        parts.append("whole installation")
    if studies:
        everywhere = person.studies == ("*",)
        parts.append(f"all {len(studies)} studies" if everywhere else ", ".join(studies))
    for code, numbers in sorted(sites.items()):
        label = "site" if len(numbers) == 1 else "sites"
        parts.append(f"{code} {label} {', '.join(sorted(numbers))}")
    return "; ".join(parts) or "no assignments"


def assign_people(demo: DemoContext) -> None:
    """Each demo person's study- and site-level roles (the CRM got theirs as each study was set up)."""
    studies, sites = demo.made["studies"], demo.made["sites"]
    for person in PEOPLE:
        user = demo.users[person.username]
        codes = tuple(studies) if person.studies == ("*",) else person.studies
        for code in codes:
            if person.role != Role.CRM:
                assign_role(user=user, role=person.role, study=studies[code], by=demo.admin)
        for code, number in person.sites:
            assign_role(user=user, role=person.role, study_site=sites[(code, number)], by=demo.admin)
