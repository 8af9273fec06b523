"""The demo logins: one person per role of SPEC.md, each assigned where that role is granted."""

from dataclasses import dataclass

from trialdesk.core.roles import Role

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
    DemoPerson(
        "coordinator", "Carl", "Okafor", Role.COORDINATOR, sites=(("ONC-301", "101"), ("DEV-401", "101"))
    ),
    DemoPerson("investigator", "Priya", "Raman", Role.INVESTIGATOR, sites=(("ONC-301", "101"),)),
    DemoPerson("safety", "Sofia", "Marchetti", Role.SAFETY, studies=("ONC-301", "ONC-102", "NEURO-302")),
    DemoPerson("finance", "Felix", "Brandt", Role.FINANCE, studies=("ONC-301", "CARD-201", "DEV-401")),
    DemoPerson("sponsor", "Sam", "Whitaker", Role.SPONSOR_VIEWER, studies=("ONC-301", "ONC-102")),
    DemoPerson("auditor", "Ada", "Novak", Role.AUDITOR, studies=("ONC-301", "RESP-203")),
)
