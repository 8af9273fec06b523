"""Pages of the monitoring app (registered in core.extensions.routes)."""

from django.urls import path

from trialdesk.monitoring.views import actions, oversight, plans, quality, reports, visits

urlpatterns = [
    path("studies/<int:study_id>/monitoring/plan/", plans.plan, name="monitoring_plan"),
    path("studies/<int:study_id>/monitoring/plan/new/", plans.plan_new, name="monitoring_plan_new"),
    path("studies/<int:study_id>/monitoring/visits/", visits.visit_list, name="monitoring_visits"),
    path(
        "studies/<int:study_id>/monitoring/action-items/",
        actions.action_item_list,
        name="monitoring_action_items",
    ),
    path("studies/<int:study_id>/monitoring/issues/", quality.issue_list, name="monitoring_issues"),
    path(
        "studies/<int:study_id>/monitoring/issues/new/", quality.issue_create, name="monitoring_issue_create"
    ),
    path("studies/<int:study_id>/monitoring/risks/", quality.risk_list, name="monitoring_risks"),
    path("studies/<int:study_id>/monitoring/risks/new/", quality.risk_create, name="monitoring_risk_create"),
    path("studies/<int:study_id>/monitoring/qtls/new/", quality.qtl_create, name="monitoring_qtl_create"),
    path(
        "studies/<int:study_id>/monitoring/qtls/evaluate/",
        quality.qtl_evaluate,
        name="monitoring_qtl_evaluate",
    ),
    path(
        "studies/<int:study_id>/monitoring/signals/check/",
        quality.signals_check,
        name="monitoring_signals_check",
    ),
    path("study-sites/<int:study_site_id>/monitoring/setup/", plans.setup, name="monitoring_setup"),
    path(
        "study-sites/<int:study_site_id>/monitoring/visits/new/",
        visits.visit_create,
        name="monitoring_visit_create",
    ),
    path(
        "study-sites/<int:study_site_id>/monitoring/action-items/new/",
        actions.action_item_create,
        name="monitoring_action_item_create",
    ),
    path("monitoring/oversight/", oversight.oversight, name="monitoring_oversight"),
    path("monitoring/oversight/score-kris/", oversight.oversight_score, name="monitoring_oversight_score"),
    path("monitoring/visits/<int:monitoring_visit_id>/", visits.visit_detail, name="monitoring_visit"),
    path(
        "monitoring/visits/<int:monitoring_visit_id>/edit/", visits.visit_edit, name="monitoring_visit_edit"
    ),
    path(
        "monitoring/visits/<int:monitoring_visit_id>/confirm/",
        visits.visit_confirm,
        name="monitoring_visit_confirm",
    ),
    path(
        "monitoring/visits/<int:monitoring_visit_id>/conduct/",
        visits.visit_conduct,
        name="monitoring_visit_conduct",
    ),
    path(
        "monitoring/visits/<int:monitoring_visit_id>/cancel/",
        visits.visit_cancel,
        name="monitoring_visit_cancel",
    ),
    path(
        "monitoring/visits/<int:monitoring_visit_id>/confirmation-letter.pdf",
        visits.confirmation_letter,
        name="monitoring_confirmation_letter",
    ),
    path("monitoring/reports/<int:visit_report_id>/", reports.report_detail, name="monitoring_report"),
    path(
        "monitoring/reports/<int:visit_report_id>/submit/",
        reports.report_submit,
        name="monitoring_report_submit",
    ),
    path(
        "monitoring/reports/<int:visit_report_id>/review/",
        reports.report_review,
        name="monitoring_report_review",
    ),
    path(
        "monitoring/reports/<int:visit_report_id>/findings/new/",
        reports.finding_create,
        name="monitoring_finding_create",
    ),
    path(
        "monitoring/reports/<int:visit_report_id>/source-reviews/new/",
        reports.source_review_create,
        name="monitoring_source_review_create",
    ),
    path(
        "monitoring/reports/<int:visit_report_id>/action-items/new/",
        reports.report_action_item,
        name="monitoring_report_action_item",
    ),
    path(
        "monitoring/reports/<int:visit_report_id>/follow-up-letter.pdf",
        reports.follow_up_letter,
        name="monitoring_follow_up_letter",
    ),
    path("monitoring/findings/<int:finding_id>/edit/", reports.finding_edit, name="monitoring_finding_edit"),
    path(
        "monitoring/findings/<int:finding_id>/deviation/",
        reports.finding_deviation,
        name="monitoring_finding_deviation",
    ),
    path(
        "monitoring/findings/<int:finding_id>/issue/", reports.finding_issue, name="monitoring_finding_issue"
    ),
    path(
        "monitoring/source-reviews/<int:source_review_id>/delete/",
        reports.source_review_delete,
        name="monitoring_source_review_delete",
    ),
    path(
        "monitoring/action-items/<int:action_item_id>/",
        actions.action_item_detail,
        name="monitoring_action_item",
    ),
    path(
        "monitoring/action-items/<int:action_item_id>/edit/",
        actions.action_item_edit,
        name="monitoring_action_item_edit",
    ),
    path("monitoring/issues/<int:issue_id>/", quality.issue_detail, name="monitoring_issue"),
    path("monitoring/issues/<int:issue_id>/edit/", quality.issue_edit, name="monitoring_issue_edit"),
    path("monitoring/risks/<int:risk_id>/edit/", quality.risk_edit, name="monitoring_risk_edit"),
    path("monitoring/qtls/<int:qtl_id>/edit/", quality.qtl_edit, name="monitoring_qtl_edit"),
    path("monitoring/signals/<int:signal_id>/", quality.signal_detail, name="monitoring_signal"),
    path("monitoring/signals/<int:signal_id>/close/", quality.signal_close, name="monitoring_signal_close"),
]
