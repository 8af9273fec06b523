"""Pages of recruitment: the Eligibility tab, criteria forms, the site's pool (figures for all who see the
site, candidates for its staff and the study's CRM), a candidate's explained results and the approach."""

from django.core.files.uploadedfile import SimpleUploadedFile

from trialdesk.recruitment.models import Candidate, EligibilityCriterion
from trialdesk.recruitment.tests.factories import make_criteria, make_pool, pool_csv
from trialdesk.subjects.models import ScreeningEntry


def test_the_eligibility_tab_shows_rules_counts_and_the_costliest_criteria(world, client_for, coordinator_a1):
    make_criteria(world.study_a, by=world.crm)
    make_pool(world.site_a1, by=coordinator_a1, rows=["C-1,2015-01-01,female,,,,2.0@2025-01-02"])
    page = client_for(world.sponsor_viewer).get(f"/studies/{world.study_a.pk}/?tab=eligibility")
    body = page.content.decode()
    assert page.status_code == 200
    assert "age 18 to 75 years" in body and "rule in use" in body
    assert "Aged 18 to 75 years" in body.split("rule out the most")[1]  # the child is ruled out by age
    assert "C-1" not in body


def test_the_crm_adds_a_criterion_and_a_bad_rule_is_a_form_error(world, client_for):
    crm = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/eligibility/criteria/new/"
    bad = crm.post(url, {"section": "inclusion", "text": "ANC", "rule": '{"kind": "weight"}'})
    assert bad.status_code == 200 and "kind: must be one of" in bad.content.decode()
    assert not EligibilityCriterion.objects.exists()
    good = crm.post(
        url,
        {"section": "inclusion", "text": "Adults", "rule": '{"kind": "age", "minimum": 18, "unit": "years"}'},
    )
    assert good.status_code == 302
    assert EligibilityCriterion.objects.get().rule["minimum"] == 18


def test_the_monitor_sees_the_pool_figures_but_no_candidate(world, client_for, coordinator_a1):
    make_pool(world.site_a1, by=coordinator_a1, keys=("KEY-SECRET",))
    page = client_for(world.monitor).get(f"/study-sites/{world.site_a1.pk}/prescreening/")
    assert page.status_code == 200
    assert "KEY-SECRET" not in page.content.decode() and "Hidden" in page.content.decode()
    staff = client_for(coordinator_a1).get(
        f"/study-sites/{world.site_a1.pk}/prescreening/?status=eligible&order=-key"
    )
    assert "KEY-SECRET" in staff.content.decode()


def test_an_upload_on_the_page_with_a_bad_row_is_a_form_error_and_stores_nothing(
    world, client_for, coordinator_a1
):
    content = pool_csv("C-1,1970-13,female,,,,")
    response = client_for(coordinator_a1).post(
        f"/study-sites/{world.site_a1.pk}/prescreening/", {"file": SimpleUploadedFile("pool.csv", content)}
    )
    assert response.status_code == 200
    assert (
        "pool.csv line 2: birth_date &#x27;1970-13&#x27; is not YYYY, YYYY-MM or YYYY-MM-DD"
        in response.content.decode()
    )
    assert not Candidate.objects.exists()


def test_approaching_a_candidate_from_its_page_links_the_screening_log(world, client_for, coordinator_a1):
    candidate = make_pool(world.site_a1, by=coordinator_a1, keys=("C-5",)).candidates.get()
    client = client_for(coordinator_a1)
    page = client.get(f"/prescreening-candidates/{candidate.pk}/")
    assert "Approach this candidate" in page.content.decode()
    done = client.post(f"/prescreening-candidates/{candidate.pk}/", {"screening_number": "S-101-50"})
    assert done.status_code == 302
    assert Candidate.objects.get().screening_entry == ScreeningEntry.objects.get(screening_number="S-101-50")
    assert "screening log" in client.get(f"/prescreening-candidates/{candidate.pk}/").content.decode()


def test_a_candidate_is_404_to_the_monitor_and_the_sponsor_viewer(world, client_for, coordinator_a1):
    candidate = make_pool(world.site_a1, by=coordinator_a1, keys=("C-6",)).candidates.get()
    for person in (world.monitor, world.sponsor_viewer, world.coordinator):
        assert client_for(person).get(f"/prescreening-candidates/{candidate.pk}/").status_code == 404
    assert client_for(world.crm).get(f"/prescreening-candidates/{candidate.pk}/").status_code == 200


def test_the_csv_template_reads_back_as_one_candidate(world, client_for):
    from trialdesk.interop.eligibility.candidates import candidates_from_csv

    response = client_for(world.monitor).get(f"/study-sites/{world.site_a1.pk}/prescreening/template.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    (example,) = candidates_from_csv(response.content.decode())
    assert (example.key, len(example.observations)) == ("EXAMPLE-1", 3)
    assert (
        client_for(world.coordinator)
        .get(f"/study-sites/{world.site_a1.pk}/prescreening/template.csv")
        .status_code
        == 404
    )
