"""The notification and finance pages in the reader's language (issue 20 §6): a person who chose
German reads German headings, messages and run-time labels."""

from django.utils import translation

from trialdesk.notifications import services


def test_a_german_reader_sees_the_notification_and_finance_pages_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    services.notify([world.crm], "assigned", "Eins", "/my-work/", study=world.study_a)
    client = client_for(world.crm)
    with translation.override("en"):  # the pages activate German; the tests after these read English
        check_pages(client)


def check_pages(client):
    inbox = client.get("/me/notifications/").content.decode()
    assert "Alle als gelesen markieren" in inbox and "Ihnen zugewiesen" in inbox
    choices = client.get("/me/notifications/preferences/").content.decode()
    assert "Benachrichtigungseinstellungen" in choices and "Tägliche Zusammenfassung" in choices
    assert "Wechselkurse" in client.get("/finance/exchange-rates/").content.decode()
