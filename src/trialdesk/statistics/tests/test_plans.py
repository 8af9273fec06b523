"""The recruitment plan: its rules as tables, versions written and kept, the variance, the API and pages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_participant
from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.statistics import plans, rules
from trialdesk.statistics.models import RecruitmentPlan
from trialdesk.statistics.tests.test_forecasts import set_site

SITES = {"101": "DE", "102": "JP"}


def line(month="2026-03", country="", site="101", activations=0, enrollment=4) -> dict:
    return {
        "month": month,
        "country": country,
        "site": site,
        "planned_activations": activations,
        "planned_enrollment": enrollment,
    }


# --- rules ------------------------------------------------------------------------------------------

LINE_CASES = [
    # (line, expected problem key or None, the country the line ends with)
    (line(), None, "DE"),
    (line(site="", country="fr"), None, "FR"),
    (line(country="DE"), None, "DE"),
    (line(country="JP"), "lines.0.country", "JP"),
    (line(site="999"), "lines.0.site", ""),
    (line(site="", country=""), "lines.0.country", ""),
    (line(site="", country="Germany"), "lines.0.country", "GERMANY"),
    (line(month="2026-13"), "lines.0.month", "DE"),
    (line(month="March"), "lines.0.month", "DE"),
    (line(month=""), "lines.0.month", "DE"),
    (line(enrollment=-1), "lines.0.planned_enrollment", "DE"),
    (line(enrollment="x"), "lines.0.planned_enrollment", "DE"),
    (line(enrollment=True), "lines.0.planned_enrollment", "DE"),
    (line(enrollment=rules.MOST_PER_LINE + 1), "lines.0.planned_enrollment", "DE"),
    (line(activations=None), None, "DE"),
    (line(enrollment="7"), None, "DE"),
]


@pytest.mark.parametrize(("given", "problem", "country"), LINE_CASES)
def test_plan_line_rules(given, problem, country):
    cleaned, problems = rules.plan_line_problems([given], site_countries=SITES)

    assert (next(iter(problems), None)) == problem
    assert cleaned[0]["country"] == country


def test_a_plan_needs_a_line():
    assert rules.plan_line_problems([], site_countries=SITES)[1] == {
        "lines": "The plan needs at least one line (month, country, planned enrollment)."
    }


def test_two_lines_for_the_same_month_country_and_site_are_refused():
    _, problems = rules.plan_line_problems([line(), line(country="DE")], site_countries=SITES)

    assert list(problems) == ["lines.1.month"]


def test_a_site_is_planned_to_activate_once():
    _, problems = rules.plan_line_problems(
        [line(activations=1), line(month="2026-04", activations=1)], site_countries=SITES
    )

    assert list(problems) == ["lines.1.planned_activations"]


def test_variance_is_actual_minus_planned_per_month_and_cumulative():
    rows = rules.variance_by_month(
        {"2026-01": 2, "2026-02": 3, "2026-03": 5},
        {"2026-01": 1, "2026-02": 4},
        ["2026-01", "2026-02", "2026-03"],
    )

    assert [(r["planned"], r["actual"], r["variance"]) for r in rows] == [(2, 1, -1), (3, 4, 1), (5, 0, -5)]
    assert [(r["cumulative_planned"], r["cumulative_actual"], r["cumulative_variance"]) for r in rows] == [
        (2, 1, -1),
        (5, 5, 0),
        (10, 5, -5),
    ]


def test_months_run_across_the_year_end():
    assert rules.months_from("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]


# --- the service ------------------------------------------------------------------------------------


def first_plan(world, **overrides):
    lines = [
        line(month="2026-01", site="101", activations=1, enrollment=2),
        line(month="2026-02", site="101", enrollment=3),
        line(month="2026-02", site="102", activations=1, enrollment=2),
        line(month="2026-03", site="", country="FR", activations=2, enrollment=5),
    ]
    values = dict(study=world.study_a, lines=lines, reason="Plan agreed at the kick-off", by=world.crm)
    return plans.create_recruitment_plan(**{**values, **overrides})


def test_a_new_version_keeps_the_earlier_one_and_is_audited(world):
    first = first_plan(world)
    second = plans.create_recruitment_plan(
        study=world.study_a, lines=[line(enrollment=9)], reason="Site 102 delayed", by=world.crm
    )

    assert (first.plan_version, second.plan_version) == (1, 2)
    first.refresh_from_db()
    assert len(first.lines) == 4 and first.reason == "Plan agreed at the kick-off"
    event = AuditEvent.objects.get(action="recruitmentplan.created", object_id=str(second.pk))
    assert event.reason == "Site 102 delayed" and event.study_id == world.study_a.pk


def test_a_plan_without_a_reason_or_with_bad_lines_saves_nothing(world):
    with nothing_written():
        with pytest.raises(Exception) as raised:
            first_plan(world, reason=" ", lines=[line(site="999")])
    assert set(raised.value.message_dict) == {"reason", "lines.0.site"}


@pytest.mark.parametrize("person", ["monitor", "auditor", "sponsor_viewer"])
def test_only_the_crm_writes_the_plan(world, person):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        first_plan(world, by=getattr(world, person))


def test_variance_counts_enrollment_and_activations_per_study_country_and_site(world):
    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 1, 10))
    for k, day in enumerate([dt.date(2026, 1, 20), dt.date(2026, 2, 3), dt.date(2026, 2, 20)]):
        make_participant(world.site_a1, f"P{k}", by=world.admin, enrolled_on=day)
    plan = first_plan(world)

    variance = plans.plan_variance(world.crm, world.study_a, plan, as_of=dt.date(2026, 3, 15))

    by_key = {(g.level, g.key): g for g in variance.groups}
    assert variance.months == ["2026-01", "2026-02", "2026-03"]
    study = by_key[("study", "ONC-A")]
    assert (study.planned_enrollment, study.actual_enrollment) == (12, 3)
    assert (study.planned_activations, study.actual_activations) == (4, 1)
    assert [m["cumulative_variance"] for m in study.months] == [-1, -4, -9]
    assert (
        by_key[("country", "FR")].planned_enrollment == 5 and by_key[("country", "FR")].actual_enrollment == 0
    )
    site = by_key[("site", "101")]
    assert [(m["planned"], m["actual"]) for m in site.months] == [(2, 1), (3, 2), (0, 0)]


def test_the_monitor_of_a1_sees_only_site_a1_in_the_variance(world):
    plan = first_plan(world)

    variance = plans.plan_variance(world.monitor, world.study_a, plan, as_of=dt.date(2026, 3, 15))

    assert [(g.level, g.key) for g in variance.groups] == [("site", "101")]
    assert not variance.whole_study


def test_a_csv_template_reads_into_lines_and_bad_cells_name_row_and_column():
    good = (
        b"month,country,site,planned_activations,planned_enrollment\r\n"
        b"2026-03,DE,101,1,4\r\n2026-04,FR,,,6\r\n"
    )
    assert plans.lines_from_file(good, "plan.csv") == [
        {
            "month": "2026-03",
            "country": "DE",
            "site": "101",
            "planned_activations": 1,
            "planned_enrollment": 4,
        },
        {
            "month": "2026-04",
            "country": "FR",
            "site": None,
            "planned_activations": None,
            "planned_enrollment": 6,
        },
    ]
    with pytest.raises(Exception) as raised:
        plans.lines_from_file(b"month,planned_enrollment\r\n2026-03,many\r\n", "plan.csv")
    assert "plan.csv row 2, column planned_enrollment" in raised.value.message_dict["file"][0]


# --- the API ----------------------------------------------------------------------------------------


def plan_url(study, tail="") -> str:
    return f"/api/v1/studies/{study.pk}/recruitment-plan{tail}"


def test_api_writes_a_version_and_reads_it_back_with_earlier_versions(world, client_for):
    client = client_for(world.crm)
    body = {"reason": "First plan", "lines": [line(enrollment=3), line(month="2026-04", enrollment=5)]}

    created = client.post(plan_url(world.study_a), body, content_type="application/json")
    second = client.post(
        plan_url(world.study_a),
        {"reason": "Faster", "lines": [line(enrollment=8)]},
        content_type="application/json",
    )

    assert created.status_code == 201 and created.json()["plan_version"] == 1
    assert second.json()["plan_version"] == 2
    latest = client.get(plan_url(world.study_a)).json()
    assert latest["plan_version"] == 2 and [v["plan_version"] for v in latest["versions"]] == [2, 1]
    earlier = client.get(plan_url(world.study_a), {"plan_version": 1}).json()
    assert [ln["planned_enrollment"] for ln in earlier["lines"]] == [3, 5]


def test_api_answers_a_study_without_a_plan_with_an_empty_one(world, client_for):
    answer = client_for(world.auditor).get(plan_url(world.study_a)).json()

    assert answer["plan_version"] is None and answer["lines"] == [] and answer["versions"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [line()]}, "reason"),
        ({"reason": "x", "lines": [line(month="2026-3x")]}, "lines.0.month"),
        ({"reason": "x", "lines": [line(site="999")]}, "lines.0.site"),
        ({"reason": "x", "lines": [{**line(), "planned_enrollment": -2}]}, "lines.0.planned_enrollment"),
        ({"reason": "x", "lines": []}, "lines"),
        ({"reason": "x", "lines": [{**line(), "extra": 1}]}, "lines.0.extra"),
    ],
)
def test_api_refuses_a_bad_plan_naming_the_field(world, client_for, body, field):
    with nothing_written():
        response = client_for(world.crm).post(plan_url(world.study_a), body, content_type="application/json")

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_api_refuses_an_unknown_plan_version(world, client_for):
    first_plan(world)

    response = client_for(world.crm).get(plan_url(world.study_a, "/variance"), {"plan_version": 7})

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "plan_version"


def test_api_variance_for_the_sponsor_viewer_is_counts_only(world, client_for):
    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 1, 10))
    make_participant(world.site_a1, "101-SECRET", by=world.admin, enrolled_on=dt.date(2026, 1, 20))
    first_plan(world)

    response = client_for(world.sponsor_viewer).get(plan_url(world.study_a, "/variance"))

    assert response.status_code == 200 and "101-SECRET" not in response.content.decode()
    study = response.json()["groups"][0]
    assert study["level"] == "study" and study["actual_enrollment"] == 1


def test_api_plan_is_not_found_outside_the_study(world, client_for):
    first_plan(world)

    for url in (plan_url(world.study_a), plan_url(world.study_a, "/variance")):
        assert client_for(world.coordinator).get(url).status_code == 404
        assert client_for(world.outsider).get(url).status_code == 404


# --- the pages --------------------------------------------------------------------------------------


def page_url(study) -> str:
    return f"/studies/{study.pk}/recruitment-plan/"


def form_data(rows, reason="Kick-off plan"):
    data = {"reason": reason, "lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"lines-{i}-{name}"] = "" if value is None else str(value)
    return data


def test_the_crm_saves_a_version_from_the_form_ignoring_empty_lines(world, client_for):
    rows = [line(enrollment=3), {k: "" for k in rules.PLAN_FIELDS}, line(month="2026-04", enrollment=4)]

    response = client_for(world.crm).post(page_url(world.study_a), form_data(rows))

    assert response.status_code == 302 and response["Location"].endswith("?tab=plan")
    assert [ln["month"] for ln in RecruitmentPlan.objects.get().lines] == ["2026-03", "2026-04"]


def test_a_bad_line_on_the_form_is_shown_on_its_field_and_saves_nothing(world, client_for):
    rows = [line(), {k: "" for k in rules.PLAN_FIELDS}, line(month="2026-14")]

    with nothing_written():
        response = client_for(world.crm).post(page_url(world.study_a), form_data(rows))

    assert response.status_code == 200
    formset = response.context["formset"]
    assert "month" in formset.forms[2].errors and not formset.forms[1].errors


def test_the_crm_imports_a_version_from_a_csv_template(world, client_for):
    csv = b"month,country,site,planned_activations,planned_enrollment\r\n2026-05,DE,101,1,4\r\n"
    data = {**form_data([]), "file": SimpleUploadedFile("plan.csv", csv, content_type="text/csv")}

    response = client_for(world.crm).post(page_url(world.study_a), data)

    assert response.status_code == 302
    assert RecruitmentPlan.objects.get().lines[0]["planned_enrollment"] == 4


def test_a_bad_template_is_reported_by_row_and_saves_nothing(world, client_for):
    csv = b"month,country,site,planned_activations,planned_enrollment\r\n2026-05,DE,999,1,4\r\n"
    data = {**form_data([]), "file": SimpleUploadedFile("plan.csv", csv, content_type="text/csv")}

    with nothing_written():
        response = client_for(world.crm).post(page_url(world.study_a), data)

    assert "Row 2: Line 1: the study has no site" in response.content.decode()


def test_read_only_roles_read_the_plan_page_but_may_not_post(world, client_for):
    first_plan(world)
    client = client_for(world.auditor)

    page = client.get(page_url(world.study_a))
    assert page.status_code == 200 and "Plan agreed at the kick-off" in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert client.post(page_url(world.study_a), form_data([line()])).status_code == 403


def test_the_plan_tab_shows_the_chart_and_variance(world, client_for):
    first_plan(world)

    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=plan").content.decode()

    assert 'class="plan-planned"' in body and "Variance" in body and "Country" in body


def test_the_template_download_is_the_plans_lines(world, client_for):
    first_plan(world)

    response = client_for(world.crm).get(f"/studies/{world.study_a.pk}/recruitment-plan/template.csv")

    text = response.content.decode()
    assert text.startswith("month,country,site,planned_activations,planned_enrollment")
    assert "2026-03,FR,,2,5" in text


# --- the stakeholder report ----------------------------------------------------------------------------


def test_the_report_section_sets_enrollment_against_the_plan_to_date(world):
    from trialdesk.statistics import report

    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 1, 10))
    make_participant(world.site_a1, "P1", by=world.admin, enrolled_on=dt.date(2026, 1, 20))
    first_plan(world)

    block = report.study_block(world.sponsor_viewer, world.study_a, dt.date(2026, 2, 15))

    study_row = block.tables[0].rows[0]
    assert study_row[:4] == ("Study ONC-A", "7", "1", "-6")
    assert "Plan version 1" in block.summary and "P1" not in str(block)


def test_a_study_without_a_plan_has_no_report_section(world):
    from trialdesk.statistics import report

    assert report.study_block(world.crm, world.study_a, dt.date(2026, 2, 15)) is None


def test_api_lists_the_plan_versions_a_page_at_a_time(world, client_for):
    first_plan(world)
    plans.create_recruitment_plan(study=world.study_a, lines=[line()], reason="Second", by=world.crm)

    page = client_for(world.auditor).get(plan_url(world.study_a, "/versions"), {"limit": 1}).json()

    assert page["count"] == 2 and page["limit"] == 1
    assert [(v["plan_version"], v["reason"]) for v in page["items"]] == [(2, "Second")]


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("crm", 200),
        ("monitor", 200),
        ("auditor", 200),
        ("sponsor_viewer", 200),
        ("coordinator", 404),
        ("outsider", 404),
    ],
)
def test_plan_pages_answer_404_outside_the_study(world, client_for, person, status):
    first_plan(world)
    client = client_for(getattr(world, person))

    for url in (page_url(world.study_a), f"{page_url(world.study_a)}template.csv"):
        assert client.get(url).status_code == status, url


def test_the_template_download_refuses_a_post(world, client_for):
    assert client_for(world.auditor).post(f"{page_url(world.study_a)}template.csv").status_code == 405
