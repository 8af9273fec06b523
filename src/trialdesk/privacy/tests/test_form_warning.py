"""The "possible identifier: save anyway?" warning of core.forms.IdentifierCheck, on a form of its own and
on the deviation form (visits), whose free text is declared with one line."""

from django import forms

from trialdesk.core.forms import SAVE_ANYWAY, IdentifierCheck


class NoteForm(IdentifierCheck, forms.Form):
    free_text_fields = ("note",)
    note = forms.CharField(required=False)


def test_a_note_with_an_email_address_is_refused_with_a_warning_naming_it(db):
    form = NoteForm({"note": "Patient reachable at jo@example.org"})
    assert not form.is_valid()
    assert "Possible identifier (e-mail address)" in form.errors["note"][0]
    assert isinstance(form.fields[SAVE_ANYWAY].widget, forms.CheckboxInput)


def test_save_anyway_accepts_the_same_text_and_leaves_no_extra_value(db):
    form = NoteForm({"note": "Site switchboard +44 20 7946 0000", SAVE_ANYWAY: "on"})
    assert form.is_valid()
    assert form.cleaned_data == {"note": "Site switchboard +44 20 7946 0000"}


def test_plain_text_passes_without_a_question(db):
    form = NoteForm({"note": "Visit 3 done on day 93, out of window."})
    assert form.is_valid()
    assert isinstance(form.fields[SAVE_ANYWAY].widget, forms.HiddenInput)


def test_a_staff_members_name_used_for_a_participant_is_warned_of(db):
    from trialdesk.core.models import User

    User.objects.create(username="aweber", first_name="Anna", last_name="Weber")
    form = NoteForm({"note": "Patient Anna Weber fell at home."})
    assert not form.is_valid()
    assert "name from the staff directory" in form.errors["note"][0]
    assert NoteForm({"note": "Dr Anna Weber assessed the fall."}).is_valid()


def test_the_deviation_page_warns_before_saving_and_saves_when_confirmed(world, client_for):
    from trialdesk.visits.models import ProtocolDeviation

    client = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/deviations/new/"
    body = {
        "study_site": world.site_a1.pk,
        "category": "procedure",
        "description": "Participant gave her phone 06 12 34 56 78 to the nurse.",
        "occurred_on": "2025-03-01",
        "identified_on": "2025-03-02",
    }
    response = client.post(url, body)
    assert response.status_code == 200 and "Possible identifier (phone number)" in response.content.decode()
    assert not ProtocolDeviation.objects.exists()
    response = client.post(url, body | {SAVE_ANYWAY: "on"})
    assert response.status_code == 302 and ProtocolDeviation.objects.count() == 1
