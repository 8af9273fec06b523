"""Pages of the core app."""

urlpatterns: list = []
