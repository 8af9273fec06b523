"""Pages of the documents app."""

urlpatterns = []
