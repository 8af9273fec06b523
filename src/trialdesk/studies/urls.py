"""Pages of the studies app."""

urlpatterns: list = []
