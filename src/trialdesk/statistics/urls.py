"""Pages of the statistics app: the sample-size calculator, a study's planning assumptions, its recruitment
plan (and its CSV template) and the forecast's Recompute."""

from django.urls import path

from trialdesk.statistics import forecast_views, plan_views, views

urlpatterns = [
    path("statistics/sample-size/", views.sample_size_calculator, name="sample_size_calculator"),
    path(
        "studies/<int:study_id>/planning-assumptions/",
        views.planning_assumption_list,
        name="planning_assumption_list",
    ),
    path(
        "studies/<int:study_id>/recruitment-plan/",
        plan_views.recruitment_plan,
        name="recruitment_plan",
    ),
    path(
        "studies/<int:study_id>/recruitment-plan/template.csv",
        plan_views.recruitment_plan_template,
        name="recruitment_plan_template",
    ),
    path(
        "studies/<int:study_id>/forecast/recompute/",
        forecast_views.forecast_recompute,
        name="forecast_recompute",
    ),
]
