"""Each site's PI name, where it names exactly one of the people, linked to that person (audited).

A name matches a person when, without titles (Dr, Prof, MD, PhD…), punctuation, accents' case and extra
spaces, it reads as their "first last" or "last first" name. Among several matching people, those with a
role in the site's study are preferred; a name that still matches more than one person, or none, stays a
name only (the CRM picks the person on the site's form). Each link is written to the audit trail (action
`studysite.migrated`, actor "system"), so `trialdesk audit verify --records` folds it like any change.
"""

import re
import unicodedata

from django.db import migrations, transaction

REASON = "issue 16: the principal investigator as a person, matched by name (migration sites 0004)"
TITLES = frozenset({"dr", "prof", "professor", "md", "phd", "mr", "mrs", "ms", "mx", "pd", "priv", "doz"})


def name_key(text: str) -> str:
    """A name as compared: lower case, no accents, titles or punctuation, single spaces, words sorted
    (so "Dubois, Marc" and "Dr. Marc Dubois" compare equal)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    words = [w for w in re.split(r"[^a-z0-9]+", plain) if w and w not in TITLES]
    return " ".join(sorted(words))


def match(name: str, people: list[tuple[int, str, str]], on_study: set[int]) -> int | None:
    """The id of the one person (id, first name, last name) whom `name` names, preferring those in
    `on_study`; None when none or several do."""
    key = name_key(name)
    if not key:
        return None
    found = [pk for pk, first, last in people if (first or last) and name_key(f"{first} {last}") == key]
    if len(found) > 1:
        found = [pk for pk in found if pk in on_study]
    return found[0] if len(found) == 1 else None


@transaction.atomic
def forwards(apps, schema_editor):
    from trialdesk.core.audit.trail import record

    StudySite = apps.get_model("sites", "StudySite")
    User = apps.get_model("core", "User")
    RoleAssignment = apps.get_model("core", "RoleAssignment")
    sites = StudySite.objects.filter(principal_investigator_person__isnull=True).exclude(
        principal_investigator=""
    )
    if not sites.exists():
        return
    people = list(User.objects.values_list("pk", "first_name", "last_name"))
    on_study: dict[int, set[int]] = {}
    for user_id, study_id, site_study_id in RoleAssignment.objects.values_list(
        "user_id", "study_id", "study_site__study_id"
    ):
        for study in {study_id, site_study_id} - {None}:
            on_study.setdefault(study, set()).add(user_id)
    for site in sites.iterator():
        person = match(site.principal_investigator, people, on_study.get(site.study_id, set()))
        if person is None:
            continue
        StudySite.objects.filter(pk=site.pk).update(principal_investigator_person_id=person)
        record(
            target=site,
            action="studysite.migrated",
            by=None,
            before={"principal_investigator_person": None},
            after={"principal_investigator_person": person},
            reason=REASON,
            study_id=site.study_id,
            study_site_id=site.pk,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0003_principal_investigator_person"),
        ("core", "0008_user_language_time_zone"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
