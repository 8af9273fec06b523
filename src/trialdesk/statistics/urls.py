"""Pages of the statistics app: the sample-size calculator and a study's planning assumptions."""

from django.urls import path

from trialdesk.statistics import forecast_views, views

urlpatterns = [
    path("statistics/sample-size/", views.sample_size_calculator, name="sample_size_calculator"),
    path(
        "studies/<int:study_id>/planning-assumptions/",
        views.planning_assumption_list,
        name="planning_assumption_list",
    ),
    path(
        "studies/<int:study_id>/forecast/recompute/",
        forecast_views.forecast_recompute,
        name="forecast_recompute",
    ),
]
