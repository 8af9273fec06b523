"""The inbox (read and unread, mark one or all), the header's unread count, the choices page and the home
page people land on after signing in."""

from trialdesk.notifications import services
from trialdesk.notifications.models import Notification


def tell(person, title, **extra):
    return services.notify([person], "assigned", title, "/my-work/", **extra)[0]


def test_the_inbox_lists_the_persons_own_notifications_newest_first(world, client_for):
    tell(world.crm, "Older")
    tell(world.crm, "Newer", study=world.study_a)
    tell(world.monitor, "The monitor's")
    body = client_for(world.crm).get("/me/notifications/").content.decode()
    assert body.index("Newer") < body.index("Older") and "The monitor&#x27;s" not in body
    assert "The monitor's" not in body
    assert '<strong id="unread-count">2</strong> unread' in body
    assert "When (UTC)" in body and "ONC-A" in body


def test_the_header_counts_unread_notifications_on_every_page(world, client_for):
    tell(world.crm, "One")
    tell(world.crm, "Two")
    body = client_for(world.crm).get("/my-work/").content.decode()
    assert 'id="unread-notifications">2<span class="sr-only"> unread</span>' in body
    assert 'id="unread-notifications"' not in client_for(world.monitor).get("/my-work/").content.decode()


def test_the_header_count_costs_one_query_whatever_the_number(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.crm)
    client.get("/me/")
    with django_assert_max_num_queries(100) as before:
        client.get("/me/")
    for number in range(20):
        tell(world.crm, f"n{number}", study=world.study_a)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/me/")


def test_marking_one_read_and_unread_then_all(world, client_for):
    first, second = tell(world.crm, "First"), tell(world.crm, "Second")
    client = client_for(world.crm)
    response = client.post(f"/me/notifications/{first.pk}/read/", {"back": "?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/me/notifications/?show=unread"
    first.refresh_from_db()
    assert first.read_at is not None
    unread_page = client.get("/me/notifications/?show=unread").content.decode()
    assert "Second" in unread_page and "First" not in unread_page
    client.post(f"/me/notifications/{first.pk}/read/", {"unread": "1"})
    first.refresh_from_db()
    assert first.read_at is None
    client.post("/me/notifications/read-all/")
    assert not Notification.objects.filter(recipient=world.crm, read_at__isnull=True).exists()
    assert second.pk


def test_another_persons_notification_is_404(world, client_for):
    theirs = tell(world.monitor, "Theirs")
    assert client_for(world.crm).post(f"/me/notifications/{theirs.pk}/read/").status_code == 404
    assert client_for(world.crm).get(f"/me/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_filter_ignores_nonsense(world, client_for):
    tell(world.crm, "One")
    response = client_for(world.crm).get("/me/notifications/?show=nonsense&kind=evil")
    assert response.status_code == 200 and "One" in response.content.decode()


def test_choices_are_saved_and_a_bad_choice_names_the_field(world, client_for):
    client = client_for(world.crm)
    page = client.get("/me/notifications/preferences/").content.decode()
    assert "Due within 24 hours" in page and "crm" in page
    choices = {kind: "daily" for kind in ("due_soon", "overdue", "approval_lapsing", "escalation")}
    choices |= {"assigned": "off", "report_to_review": "immediately", "signal_opened": "daily", "note": "off"}
    assert client.get("/home/")["Location"] == "/"
    response = client.post("/me/notifications/preferences/", {**choices, "home": "my_work"})
    assert response.status_code == 302
    assert client.get("/home/")["Location"] == "/my-work/"
    bad = client.post("/me/notifications/preferences/", {**choices, "overdue": "hourly", "home": "my_work"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_signing_in_lands_on_my_work_for_site_staff_and_the_portfolio_for_a_sponsor_viewer(world, client):
    from tests.factories import PASSWORD

    response = client.post(
        "/login/", {"username": world.coordinator.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/my-work/"
    client.post("/logout/")
    response = client.post(
        "/login/", {"username": world.sponsor_viewer.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
