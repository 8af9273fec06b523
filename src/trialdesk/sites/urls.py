"""Pages of the sites app."""

urlpatterns: list = []
