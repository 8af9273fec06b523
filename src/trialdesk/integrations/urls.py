"""Pages of the integrations app."""

urlpatterns = []
