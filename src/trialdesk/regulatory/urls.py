"""Pages of the regulatory app."""

urlpatterns = []
