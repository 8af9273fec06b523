"""The portfolio's health column: each study's health computed ahead (nightly, after the demo loads, or
on demand with `trialdesk health refresh`) and stored, so that the portfolio shows and sorts it for a
thousand studies in one query instead of reading every signal of every study per page.

The stored colour is read as by someone who sees everything; a subject-blind reader (a sponsor viewer)
gets a second colour in which the subject-level signals read unknown, as they do on the study page.
"""

from django.db import transaction
from django.db.models import Case, F, IntegerField, When
from django.utils import timezone

from trialdesk.core import extensions, health
from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN, HealthReading
from trialdesk.core.models import User
from trialdesk.core.roles import SUBJECT_BLIND_ROLES
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.studies.models import StoredHealth, Study

RANKS = {RED: 0, AMBER: 1, GREEN: 2}
COLOURS_BY_RANK = {rank: colour for colour, rank in RANKS.items()}


def _everything_reader() -> User:
    """An unsaved administrator: it reads every record, as the stored colour must (never signed in)."""
    return User(username="health-refresh", is_superuser=True, is_active=True)


def readings_of(study: Study, today=None) -> tuple[list[health.Dimension], list[health.Dimension]]:
    """The study's dimensions as read by someone who sees everything, and as a subject-blind reader
    sees them (the subject-level signals unknown, "hidden")."""
    reader = _everything_reader()
    today = today or timezone.localdate()
    full, blind = [], []
    for signal in extensions.health_signals:
        reading = signal.read(reader, study, today)
        full.append(health.Part(signal.label, reading))
        hidden = HealthReading(reading.dimension, UNKNOWN, "hidden: subject-level data", "")
        blind.append(health.Part(signal.label, hidden if signal.subject_level else reading))
    return health.combine(full), health.combine(blind)


def refresh(studies=None, *, today=None) -> int:
    """Compute and store the health of `studies` (all when None); returns how many were stored."""
    studies = list(studies if studies is not None else Study.objects.all())
    now = timezone.now()
    for study in studies:
        full, blind = readings_of(study, today)
        overall, overall_blind = health.overall_colour(full), health.overall_colour(blind)
        with transaction.atomic():
            StoredHealth.objects.update_or_create(
                study=study,
                defaults={
                    "overall": overall,
                    "overall_subject_blind": overall_blind,
                    "rank": RANKS[overall],
                    "rank_subject_blind": RANKS[overall_blind],
                    "dimensions": [
                        {"name": d.key, "status": d.colour, "status_subject_blind": b.colour}
                        for d, b in zip(full, blind, strict=True)
                    ],
                    "computed_at": now,
                },
            )
    return len(studies)


def subject_blind_study_ids(user: User) -> set[int]:
    """The studies on which `user` holds only subject-blind roles (one query)."""
    if not user.is_authenticated or is_administrator(user):
        return set()
    seeing, blind = set(), set()
    facts = role_facts(user)  # the user's assignments, read once a request
    held = [*facts.study_roles.items()]
    held += [(facts.study_of_site[site_id], roles) for site_id, roles in facts.site_roles.items()]
    for study_id, roles in held:
        for role in roles:
            (blind if role in SUBJECT_BLIND_ROLES else seeing).add(study_id)
    return blind - seeing


def rank_annotation(user: User) -> dict:
    """`health_rank` for the portfolio's sort: the stored rank the reader's colour has (null when none
    is stored yet: sorted last)."""
    blind = subject_blind_study_ids(user)
    if not blind:
        return {"health_rank": F("stored_health__rank")}
    return {
        "health_rank": Case(
            When(pk__in=blind, then=F("stored_health__rank_subject_blind")),
            default=F("stored_health__rank"),
            output_field=IntegerField(),
        )
    }


def stored_for(user: User, studies) -> dict[int, tuple[str, dict[str, str], object]]:
    """Each of `studies`' stored health as `user` reads it (one query): the overall colour, each
    dimension's colour by name, and when it was computed; studies never computed are left out."""
    blind = subject_blind_study_ids(user)
    found = {}
    for stored in StoredHealth.objects.filter(study__in=[study.pk for study in studies]):
        key = "status_subject_blind" if stored.study_id in blind else "status"
        overall = stored.overall_subject_blind if stored.study_id in blind else stored.overall
        # Stored before the subject-blind statuses were kept: unknown, never the full reader's colour.
        dimensions = {d["name"]: d.get(key, UNKNOWN) for d in stored.dimensions}
        found[stored.study_id] = (overall, dimensions, stored.computed_at)
    return found


def colour_values(user: User, studies) -> dict[int, str]:
    """Each study's stored colour for `user` (from the page's `health_rank`; no query)."""
    return {
        study.pk: COLOURS_BY_RANK[study.health_rank]
        for study in studies
        if getattr(study, "health_rank", None) is not None
    }
