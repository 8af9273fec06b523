"""The People pages and a study's Team tab in the reader's language (issue 20 §6)."""

from django.urls import reverse
from django.utils import translation

from trialdesk.core.models import User


def test_an_administrator_reading_german_gets_the_people_pages_in_german(world, client_for):
    User.objects.filter(pk=world.admin.pk).update(language="de")
    client = client_for(world.admin)
    with translation.override("en"):  # the requests switch to German; English again after
        people = client.get(reverse("people")).content.decode()
        assert "Neue Person" in people and "Name, Benutzername oder E-Mail" in people
        person = client.get(reverse("person_detail", kwargs={"user_id": world.monitor.pk})).content.decode()
        assert "Eine Rolle vergeben" in person and "Kontoverlauf" in person
        staff = client.get(reverse("study_detail", kwargs={"study_id": world.study_a.pk}) + "?tab=staff")
        assert "Offenlegung finanzieller Interessen" in staff.content.decode()
