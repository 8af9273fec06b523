"""The compliance dimension's delegated staff: people with a delegation in force who lack current training,
and delegations awaiting the investigator's signature (people.rules.delegation_health), from the Staff
tab's delegation logs of the sites the reader sees, linking to that tab."""

from trialdesk.core.extensions import HealthReading, HealthSignal
from trialdesk.people import rules
from trialdesk.people.selectors import delegation_logs
from trialdesk.studies.pages import tab_url


def read_delegation(user, study, today) -> HealthReading:
    """Four queries (sites, current protocol version, log entries, training records), as on the Staff tab;
    each site is judged on its own local day."""
    untrained: set[str] = set()
    entries = unsigned = 0
    for log in delegation_logs(user, study):
        for row in log.rows:
            entries += 1
            if row.in_force and row.training_gaps:
                untrained.add(row.entry.staff_member.get_full_name() or row.entry.staff_member.username)
            ended = row.entry.ends_on is not None and row.entry.ends_on < log.today
            if not row.entry.is_signed and not ended:
                unsigned += 1
    colour, why = rules.delegation_health(entries=entries, untrained=sorted(untrained), unsigned=unsigned)
    return HealthReading("compliance", colour, why, tab_url(study, "staff"))


DELEGATION = HealthSignal("delegated_staff", "Delegated staff", read_delegation, order=70)
