"""The regulatory pages in the reader's language (issue 20 §6): a CRM who chose German reads the
committee directory and the Regulatory tab in German."""

from django.utils import translation


def test_a_german_reader_sees_the_committee_directory_and_regulatory_tab_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    with translation.override("en"):  # the page activates German; the tests after this one read English
        directory = client.get("/ethics-committees/").content.decode()
        tab = client.get(f"/studies/{world.study_a.pk}/?tab=regulatory").content.decode()
    assert "Ethikkommissionen" in directory and "Neue Kommission" in directory
    assert "Checklisten zur Aktivierung der Prüfzentren" in tab and "Neue Einreichung" in tab


def test_the_countdowns_and_checklist_counts_follow_the_readers_language():
    from trialdesk.regulatory.rules import checklists, oversight

    facts = checklists.SiteAmendmentFacts(training_gaps=3, reconsent_pending=2)
    with translation.override("de"):
        assert oversight.countdown(12) == "noch 12 Tage"
        assert oversight.countdown(-1) == "vor 1 Tag abgelaufen"
        details = {item.item: item.detail for item in checklists.amendment_checklist(facts)}
    assert details["retraining"] == "3 zu schulen"
    assert details["reconsent"] == "2 warten auf die neue Einwilligung"
    assert oversight.countdown(12) == "12 days left"
