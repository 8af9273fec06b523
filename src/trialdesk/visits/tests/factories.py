"""Builders for the visits tests: a schedule of activities on study A's protocol, participants, visits."""

import datetime as dt
from dataclasses import dataclass

from tests.factories import World, make_participant
from trialdesk.studies import services as study_services
from trialdesk.studies.models import ProtocolVersion
from trialdesk.subjects.models import Participant
from trialdesk.visits import services
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit, VisitDefinition

ALL_MODALITIES = ["on_site", "telemedicine", "home_visit", "remote_data"]
# A small schedule: screening before consent-day, baseline on randomization day, then treatment and
# follow-up visits with their windows, and an end-of-study visit.
SCHEDULE = (
    # code, name, visit type, anchor, day offset, window before, after, modalities
    ("SCR", "Screening", "screening", "consent", 0, 0, 0, ["on_site"]),
    ("BL", "Baseline", "baseline", "randomization", 0, 0, 0, ["on_site"]),
    ("W2", "Week 2", "treatment", "randomization", 14, 3, 3, ["on_site", "telemedicine"]),
    ("W4", "Week 4", "treatment", "randomization", 28, 3, 3, ["on_site", "home_visit"]),
    ("FU", "Follow-up call", "follow_up", "randomization", 90, 7, 7, ALL_MODALITIES),
    ("EOS", "End of study", "end_of_study", "randomization", 180, 14, 14, ["on_site"]),
)


def make_effective(protocol_version: ProtocolVersion, *, by, on=dt.date(2025, 2, 1)) -> ProtocolVersion:
    for status in ("submitted", "approved", "effective"):
        protocol_version = study_services.change_protocol_status(
            protocol_version=protocol_version, to=status, on=on, by=by, reason=f"to {status}"
        )
    return protocol_version


def add_schedule(protocol_version: ProtocolVersion, *, by, rows=SCHEDULE) -> list[VisitDefinition]:
    return [
        services.create_visit_definition(
            protocol_version=protocol_version,
            code=code,
            name=name,
            visit_type=visit_type,
            anchor=anchor,
            day_offset=offset,
            window_before_days=before,
            window_after_days=after,
            modalities=modalities,
            order=order,
            by=by,
        )
        for order, (code, name, visit_type, anchor, offset, before, after, modalities) in enumerate(rows)
    ]


@dataclass
class VisitWorld:
    """The world's study A with an effective schedule; a participant at each of A1, A2 and B1."""

    definitions: list[VisitDefinition]
    participant_a1: Participant
    participant_a2: Participant
    participant_b1: Participant
    visit_a1: ScheduledVisit  # week 2 of the participant at A1
    visit_a2: ScheduledVisit
    deviation_a1: ProtocolDeviation
    deviation_a2: ProtocolDeviation

    def definition(self, code: str) -> VisitDefinition:
        return next(d for d in self.definitions if d.code == code)


def build_visit_world(
    world: World,
    *,
    randomized_on=dt.date(2025, 3, 3),
    participant_a1: Participant | None = None,
    participant_b1: Participant | None = None,
) -> VisitWorld:
    """Study A's protocol made effective with SCHEDULE; participants 101-001, 102-001 and 201-001
    (enrolled 2025-03-01; pass ones already made to reuse them) with their randomization visits; a
    deviation at A1 about 101-001 and an important one at A2 about the site."""
    admin = world.admin
    protocol = make_effective(world.protocol_a, by=admin)
    definitions = add_schedule(protocol, by=admin)
    a1 = participant_a1 or make_participant(world.site_a1, "101-001", by=admin)
    a2 = make_participant(world.site_a2, "102-001", by=admin)
    b1 = participant_b1 or make_participant(world.site_b1, "201-001", by=admin)
    visits_a1 = services.schedule_visits(
        participant=a1, anchor="randomization", anchor_on=randomized_on, by=admin
    )
    visits_a2 = services.schedule_visits(
        participant=a2, anchor="randomization", anchor_on=randomized_on, by=admin
    )
    deviation_a1 = services.create_deviation(
        study=world.study_a,
        study_site=world.site_a1,
        participant=a1,
        category="visit_window",
        description="Week 2 visit done 5 days late.",
        occurred_on=dt.date(2025, 3, 22),
        identified_on=dt.date(2025, 3, 25),
        by=admin,
    )
    deviation_a2 = services.create_deviation(
        study=world.study_a,
        study_site=world.site_a2,
        category="procedure",
        important=True,
        description="Centrifuge out of calibration for a week.",
        occurred_on=dt.date(2025, 4, 1),
        identified_on=dt.date(2025, 4, 8),
        by=admin,
    )
    return VisitWorld(
        definitions=definitions,
        participant_a1=a1,
        participant_a2=a2,
        participant_b1=b1,
        visit_a1=next(v for v in visits_a1 if v.definition.code == "W2"),
        visit_a2=next(v for v in visits_a2 if v.definition.code == "W2"),
        deviation_a1=deviation_a1,
        deviation_a2=deviation_a2,
    )
