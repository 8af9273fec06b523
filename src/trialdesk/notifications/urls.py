"""Pages of notifications: under me/ (they are about the signed-in person), and the home page."""

from django.urls import path

from trialdesk.notifications import views

urlpatterns = [
    path("home/", views.home, name="home"),
    path("me/notifications/", views.inbox, name="notification_inbox"),
    path("me/notifications/read-all/", views.mark_all_read, name="notifications_read_all"),
    path("me/notifications/preferences/", views.preferences, name="notification_preferences"),
    path("me/notifications/<int:notification_id>/read/", views.mark_read, name="notification_read"),
]
