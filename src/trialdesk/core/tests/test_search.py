"""The global search (`/search/?q=`, `GET /api/v1/search`): each kind of record its app contributes is
found, only among what the reader may see, in a fixed number of queries.

Study ONC-A has sites 101 (Berlin) and 102 (Tokyo Medical), participant 101-001 (screened as S-101-01)
and an ethics approval letter at site 101; study CARD-B has site 201 and participant 201-001. The CRM of
A finds A's records and never B's; the sponsor viewer of A finds the study but no participant, and is
told participants are hidden; the outsider finds nothing.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_participant
from trialdesk.core.search import search
from trialdesk.documents.tests.factories import file_pdf
from trialdesk.subjects.tests.factories import make_screening_entry


@pytest.fixture
def records(world):
    entry = make_screening_entry(world.site_a1, "S-101-01", by=world.admin)
    make_participant(world.site_a1, "101-001", by=world.admin, screening_entry=entry)
    make_screening_entry(world.site_a1, "S-101-02", by=world.admin)  # screened, not enrolled
    make_participant(world.site_b1, "201-001", by=world.admin)
    file_pdf(
        world.study_a,
        by=world.admin,
        artifact_number="05.02.12",
        study_site=world.site_a1,
        title="Ethics approval letter",
    )
    file_pdf(
        world.study_b,
        by=world.admin,
        artifact_number="05.02.12",
        study_site=world.site_b1,
        title="Ethics approval letter B",
        text="b",
    )
    return world


def found(user, query) -> dict[str, list[str]]:
    return {group.key: [r.title for r in group.hits.results] for group in search(user, query)}


def test_every_kind_is_found_by_what_its_app_registered(records):
    crm = records.crm
    assert found(crm, "onc-a")["studies"] == ["ONC-A: Study ONC-A"]
    assert found(crm, "tokyo")["sites"] == ["ONC-A site 102: Tokyo Medical"]
    assert found(crm, "berlin")["sites"] == ["ONC-A site 101: Hospital ONC-A-101"]
    assert found(crm, "101-001")["participants"] == ["Participant 101-001"]
    assert found(crm, "s-101")["participants"] == ["Participant 101-001", "Screening S-101-02"]
    assert found(crm, "ETHICS")["documents"] == ["Ethics approval letter"]


def test_another_studys_records_never_appear(records):
    results = found(records.crm, "01")
    assert "Participant 201-001" not in results["participants"]
    assert all("CARD-B" not in title for title in results["sites"])
    assert found(records.crm, "card")["studies"] == []
    assert found(records.crm, "ethics")["documents"] == ["Ethics approval letter"]
    coordinator = found(records.coordinator, "01")
    assert coordinator["participants"] == ["Participant 201-001"]


def test_the_outsider_finds_nothing_and_is_told_nothing_is_hidden(records):
    groups = search(records.outsider, "01")
    assert all(group.hits.count == 0 and not group.hits.results for group in groups)
    assert not any(group.hits.hidden for group in groups)


def test_the_sponsor_viewer_finds_no_participant_and_is_told_they_are_hidden(records, client_for):
    groups = {group.key: group for group in search(records.sponsor_viewer, "101-001")}
    assert groups["participants"].hits.results == () and groups["participants"].hits.hidden
    assert found(records.sponsor_viewer, "onc")["studies"] == ["ONC-A: Study ONC-A"]
    client = client_for(records.sponsor_viewer)
    body = client.get("/search/?q=101-001").content.decode()
    assert "Hidden: you do not see participant-level records" in body
    assert "Participant 101-001" not in body and 'href="/participants/' not in body
    assert "Screening S-101" not in client.get("/search/?q=S-101").content.decode()


def test_the_page_groups_results_by_kind_with_links_and_a_more_count(records, client_for):
    client = client_for(records.crm)
    body = client.get("/search/?q=01").content.decode()
    for kind in ("studies", "sites", "participants", "documents"):
        assert f'id="search-{kind}"' in body
    assert f'href="/study-sites/{records.site_a1.pk}/"' in body
    assert "No results." in body  # no study has 01 in it
    partial = client.get("/search/?q=01", headers={"HX-Request": "true"}).content.decode()
    assert 'id="search-sites"' in partial and "<html" not in partial


def test_the_page_shows_at_most_ten_of_a_kind_and_how_many_more(records, client_for):
    for number in range(2, 14):
        make_screening_entry(records.site_a1, f"S-101-9{number:02d}", by=records.admin)
    body = client_for(records.crm).get("/search/?q=S-101-9").content.decode()
    assert body.count("Screening S-101-9") == 10 and "2 more; narrow your search" in body


@pytest.mark.parametrize("query", ["", "a", " b ", "x" * 201])
def test_a_query_too_short_or_too_long_asks_for_another(records, client_for, query):
    response = client_for(records.crm).get("/search/", {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="search-studies"' not in body
    assert ("Type at least 2 characters" in body) or ("At most 200 characters" in body)


def test_the_header_has_a_search_box_that_goes_to_the_results(records, client_for):
    body = client_for(records.crm).get("/my-work/").content.decode()
    assert '<form class="topsearch" method="get" action="/search/" role="search">' in body


def test_the_api_answers_a_page_of_items_of_every_kind(records, client_for):
    client = client_for(records.crm)
    answer = client.get("/api/v1/search", {"q": "01"}).json()
    assert set(answer) == {"count", "limit", "offset", "items"}
    assert answer["limit"] == 50 and answer["offset"] == 0
    kinds = [item["kind"] for item in answer["items"]]
    assert kinds == sorted(kinds, key=["studies", "sites", "participants", "documents"].index)
    assert {"sites", "participants"} <= set(kinds)
    assert set(answer["items"][0]) == {"kind", "title", "detail", "url"}
    assert answer["count"] == len(answer["items"])
    second = client.get("/api/v1/search", {"q": "01", "limit": 1, "offset": 1}).json()
    assert second["count"] == answer["count"] and second["items"] == answer["items"][1:2]
    assert client.get("/api/v1/search", {"q": "101-001"}).json()["items"][0]["title"] == "Participant 101-001"


def test_the_api_gives_the_sponsor_viewer_no_participant(records, client_for):
    answer = client_for(records.sponsor_viewer).get("/api/v1/search", {"q": "101"}).json()
    assert "participants" not in {item["kind"] for item in answer["items"]}
    assert "101-001" not in str(answer)


@pytest.mark.parametrize("query", [{}, {"q": "a"}, {"q": "  "}, {"q": "x" * 201}])
def test_the_api_refuses_a_missing_short_or_long_query_naming_q(records, client_for, query):
    response = client_for(records.crm).get("/api/v1/search", query)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["q"]


def test_a_search_costs_the_same_queries_however_many_records_match(records, client_for):
    client = client_for(records.crm)
    client.get("/search/?q=zz")  # the session and the user's roles

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/?q=S-101").status_code == 200
        return len(captured)

    before = queries()
    for number in range(3, 15):
        make_screening_entry(records.site_a1, f"S-101-{number:02d}", by=records.admin)
    assert queries() == before
