""" "My work": every source's items for the signed-in person, overdue first then soonest due, grouped by
kind; the page and `GET /api/v1/me/work` show a person only their own work, in a bounded number of queries.

An SAE at site 101 (aware 2025-03-10) gives on 2025-03-20 the CRM the sponsor's two SUSAR reports (due
2025-03-25) and coordinator Cora of site 101 the site's report to the sponsor (overdue since 2025-03-11);
Cora, with no GCP certificate on file for study A, also has that to record (as Carl has for study B).
"""

import datetime as dt

import pytest

from tests.factories import make_participant
from trialdesk.core.extensions import WorkItem
from trialdesk.core.work import grouped, urgency, when
from trialdesk.people.tests.factories import make_staff
from trialdesk.safety.tests.factories import AWARE, make_adverse_event

D = dt.date


def item(kind, due_on, *, overdue=False, title="t", study="S"):
    return WorkItem(kind=kind, title=title, due_on=due_on, url="/x/", study_code=study, overdue=overdue)


def test_overdue_comes_first_then_the_soonest_due():
    items = [
        item("training", D(2025, 3, 20)),
        item("reconsent", D(2025, 3, 25), overdue=True),
        item("training", D(2025, 3, 18)),
        item("reporting_obligations", D(2025, 3, 11), overdue=True),
    ]
    assert [(i.due_on, i.overdue) for i in sorted(items, key=urgency)] == [
        (D(2025, 3, 11), True),
        (D(2025, 3, 25), True),
        (D(2025, 3, 18), False),
        (D(2025, 3, 20), False),
    ]


@pytest.mark.parametrize(
    "due_on, overdue, expected",
    [
        (D(2025, 3, 11), True, "overdue"),
        (D(2025, 3, 20), True, "overdue"),  # overdue already at the site's own day
        (D(2025, 3, 20), False, "today"),
        (D(2025, 3, 21), False, "this_week"),
        (D(2025, 3, 27), False, "this_week"),
        (D(2025, 3, 28), False, "later"),
    ],
)
def test_when_an_item_falls_due(due_on, overdue, expected):
    assert when(item("training", due_on, overdue=overdue), D(2025, 3, 20)) == expected


def test_groups_are_stretches_of_time_in_order_with_each_kinds_registered_label():
    items = sorted(
        [
            item("training", D(2025, 4, 18)),
            item("reporting_obligations", D(2025, 3, 11), overdue=True),
            item("training", D(2025, 3, 20)),
            item("somebody_elses_kind", D(2025, 3, 22)),
        ],
        key=urgency,
    )
    groups = grouped(items, D(2025, 3, 20))
    assert [(g.key, g.label, g.count) for g in groups] == [
        ("overdue", "Overdue", 1),
        ("today", "Due today", 1),
        ("this_week", "Due this week", 1),
        ("later", "Later", 1),
    ]
    assert groups[0].rows[0][1] == "Reporting obligations to submit"
    assert groups[2].rows[0][1] == "Somebody elses kind"


@pytest.fixture
def cora(world, clock):
    person = make_staff(world.site_a1, "coordinator_cora", by=world.admin)
    make_adverse_event(make_participant(world.site_a1, "101-001", by=world.admin), by=world.crm)
    clock.move_to(AWARE + dt.timedelta(days=10))
    return person


def test_the_page_lists_the_persons_work_by_when_it_is_due_with_counts_and_links(world, cora, client_for):
    body = client_for(cora).get("/my-work/").content.decode()
    assert "<strong>2</strong> items due for you" in body and "2 overdue" in body
    assert 'id="work-overdue"' in body and 'id="work-today"' not in body
    obligation = body.index("Report to Sponsor: Serious adverse event reported by the investigator")
    training = body.index("Your training: no GCP certificate")
    assert obligation < training  # both overdue: the obligation is due first
    assert f'href="/studies/{world.study_a.pk}/training-records/new/"' in body
    assert 'href="?kind=training">Your training · 1</a>' in body
    assert "EudraVigilance" not in body and "PMDA" not in body  # the sponsor's reports are the CRM's


def test_the_page_narrows_by_kind_or_study_and_names_a_bad_filter(world, cora, client_for):
    client = client_for(cora)
    body = client.get("/my-work/?kind=training").content.decode()
    assert "<strong>1</strong> item due for you" in body and "Report to Sponsor" not in body
    assert "Your training: no GCP certificate" in body and "(of 2, narrowed)" in body
    assert "<strong>2</strong> items" in client.get("/my-work/?study=ONC-A").content.decode()
    bad = client.get("/my-work/?study=CARD-B&kind=nonsense")
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Study: Select a valid choice" in text and "Kind of work: Select a valid choice" in text
    assert "<strong>2</strong> items due for you" in text  # a bad filter narrows nothing


def test_another_persons_items_never_appear(world, cora, client_for):
    crm = client_for(world.crm).get("/my-work/").content.decode()
    assert "Report to EudraVigilance" in crm and "Report to PMDA" in crm
    assert "Report to Sponsor:" not in crm and "Your training" not in crm
    for person in ("monitor", "auditor", "sponsor_viewer", "outsider"):
        body = client_for(world.people[person]).get("/my-work/").content.decode()
        assert "Nothing is due for you." in body and "101-001" not in body and "AE-0001" not in body, person
    carl = client_for(world.coordinator).get("/api/v1/me/work").json()  # site 201 of study B
    assert [(i["study_code"], i["title"]) for i in carl["items"]] == [
        ("CARD-B", "Your training: no GCP certificate")
    ]


def test_the_navigation_links_to_my_work(world, client_for):
    body = client_for(world.monitor).get("/my-work/").content.decode()
    assert '<a href="/my-work/" aria-current="page">My work</a>' in body


def test_the_page_is_read_only_and_for_signed_in_people(world, client, client_for):
    assert client.get("/my-work/").status_code == 302
    assert client_for(world.crm).post("/my-work/").status_code == 405


def test_the_api_lists_the_same_work_paginated(world, cora, client_for):
    api = client_for(cora)
    page = api.get("/api/v1/me/work").json()
    assert (page["count"], page["limit"], page["offset"]) == (2, 50, 0)
    assert page["items"][0] == {
        "kind": "reporting_obligations",
        "title": page["items"][0]["title"],
        "due_on": "2025-03-11",
        "url": page["items"][0]["url"],
        "study_code": "ONC-A",
        "overdue": True,
    }
    assert page["items"][0]["title"].startswith("Report to Sponsor: ")
    assert [i["kind"] for i in page["items"]] == ["reporting_obligations", "training"]
    second = api.get("/api/v1/me/work?limit=1&offset=1").json()
    assert second["count"] == 2 and second["items"] == page["items"][1:2]
    assert api.get("/api/v1/me/work?limit=0").status_code == 422
    assert client_for(world.outsider).get("/api/v1/me/work").json() == {
        "count": 0,
        "limit": 50,
        "offset": 0,
        "items": [],
    }


def test_the_api_needs_a_signed_in_person(db, client):
    assert client.get("/api/v1/me/work").status_code == 401


def test_the_page_takes_the_same_queries_however_much_work_there_is(
    world, cora, client_for, django_assert_max_num_queries
):
    page = client_for(cora)
    with django_assert_max_num_queries(30) as few:
        assert page.get("/my-work/").status_code == 200
    for number in range(2, 8):
        participant = make_participant(world.site_a1, f"101-00{number}", by=world.admin)
        aware = AWARE + dt.timedelta(days=9, hours=12)  # the site's report is due in 12 hours
        make_adverse_event(participant, by=world.crm, site_aware_at=aware, sponsor_aware_at=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = page.get("/my-work/").content.decode()
    assert "<strong>8</strong> items due for you" in body
