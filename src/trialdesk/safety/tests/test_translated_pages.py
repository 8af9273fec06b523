"""The safety pages in the reader's language (issue 20 §6): a CRM who chose German reads the reporting
obligations board and the calendar feed page in German."""

from django.urls import reverse
from django.utils import translation


def test_a_german_reader_sees_the_obligations_board_and_calendar_page_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    with translation.override("en"):  # the page activates German; the tests after this one read English
        board = client.get(reverse("obligations_board")).content.decode()
        calendar = client.get(reverse("calendar_settings")).content.decode()
    assert "Meldepflichten" in board and "Versäumt in den letzten" in board
    assert "Ihr Kalender-Feed" in calendar and "Sie haben keinen aktiven Feed." in calendar
