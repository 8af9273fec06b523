"""GET /api/v1/notifications (paginated, unread filter), marking read, and e-mail choices."""

from trialdesk.notifications import services


def test_the_api_lists_my_notifications_and_marks_them_read(world, client_for):
    first = services.notify([world.crm], "assigned", "First", "/x/", study=world.study_a)[0]
    services.notify([world.crm], "signal_opened", "Second", "/y/")
    services.notify([world.monitor], "assigned", "Not mine", "/z/")
    api = client_for(world.crm)
    page = api.get("/api/v1/notifications").json()
    assert (page["count"], page["limit"], page["offset"]) == (2, 50, 0)
    assert [item["title"] for item in page["items"]] == ["Second", "First"]
    assert page["items"][1] | {"id": 0, "created_at": ""} == {
        "id": 0, "kind": "assigned", "title": "First", "body": "", "url": "/x/", "study_code": "ONC-A",
        "created_at": "", "read_at": None, "read": False,
    }  # fmt: skip
    read = api.post(f"/api/v1/notifications/{first.pk}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    assert [i["title"] for i in api.get("/api/v1/notifications?unread=true").json()["items"]] == ["Second"]
    assert api.get("/api/v1/notifications?kind=signal_opened").json()["count"] == 1
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 0


def test_another_persons_notification_is_404_and_bad_input_is_422(world, client_for):
    theirs = services.notify([world.monitor], "assigned", "Theirs", "/x/")[0]
    api = client_for(world.crm)
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    bad = api.get("/api/v1/notifications?kind=gossip")
    assert bad.status_code == 422 and "kind" in bad.content.decode()


def test_choices_through_the_api(world, client_for):
    api = client_for(world.crm)
    kinds = {i["kind"]: i["delivery"] for i in api.get("/api/v1/notifications/preferences").json()["items"]}
    assert kinds["overdue"] == "immediately" and kinds["signal_opened"] == "daily"
    answer = api.post(
        "/api/v1/notifications/preferences",
        {"kind": "overdue", "delivery": "off"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert {i["kind"]: i["delivery"] for i in answer.json()["items"]}["overdue"] == "off"
    bad = api.post(
        "/api/v1/notifications/preferences",
        {"kind": "overdue", "delivery": "hourly"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "delivery" in bad.content.decode()


def test_the_api_needs_a_signed_in_person(db, client):
    assert client.get("/api/v1/notifications").status_code == 401
