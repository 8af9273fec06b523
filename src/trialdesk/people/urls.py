"""Pages of the people app."""

urlpatterns = []
