"""Pages of the safety app."""

urlpatterns = []
