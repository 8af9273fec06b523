"""core.charts: each chart is a valid Vega-Lite specification (altair's schema), drawn offline by
vl-convert; {% chart %} puts it in a data block that cannot be closed early."""

import datetime as dt

import pytest
from altair.vegalite.v6.schema.core import TopLevelSpec
from django.template import Context, Template

from trialdesk.core import charts

D = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 12, 7)

SPECS = {
    "enrollment": lambda: charts.enrollment_forecast(
        [{"on": D + dt.timedelta(weeks=i), "enrolled": 3 * i} for i in range(10)],
        [
            {"on": D + dt.timedelta(weeks=9 + i), "mean": 27 + 3 * i, "lower": 27 + i, "upper": 27 + 5 * i}
            for i in range(20)
        ],
        120,
        planned_end=dt.date(2026, 12, 31),
    ),
    "activation": lambda: charts.site_activation(
        [D, D + dt.timedelta(30)], [D + dt.timedelta(9)], today=TODAY
    ),
    "milestones": lambda: charts.milestone_timeline(
        [
            {
                "label": "First participant in",
                "baseline_on": D,
                "actual_on": D + dt.timedelta(20),
                "late": True,
            }
        ],
        today=TODAY,
    ),
    "kri funnel": lambda: charts.kri_funnel(
        [{"site": "101", "denominator": 20, "metric": 0.3, "flag": "Red"}],
        [
            {"denominator": n, "metric": 0.1 + t / n, "threshold": t}
            for n in (5, 10, 20, 40)
            for t in (-2, 0, 2)
        ],
        title="Adverse events per participant",
    ),
    "screening funnel": lambda: charts.screening_funnel([("Screened", 40), ("Enrolled", 20)]),
    "obligations": lambda: charts.obligations_by_week([{"week": D, "status": "Met", "count": 3}]),
    "budget": lambda: charts.budget_burn(
        [
            {"month": "2026-01", "earned": 10.0, "paid": 5.0},
            {"month": "2026-02", "earned": 30.0, "paid": 20.0},
        ],
        budget=100.0,
        eac={"0.1": 80.0, "0.5": 95.0, "0.9": 120.0},
        currency="EUR",
    ),
}


@pytest.mark.parametrize("name", SPECS)
def test_each_chart_is_a_valid_vega_lite_spec_with_a_title(name):
    spec = SPECS[name]()
    TopLevelSpec.from_dict(spec)  # raises on anything Vega-Lite would not accept
    assert spec["title"]


def test_a_chart_draws_offline_to_png_and_svg_with_its_words():
    spec = SPECS["activation"]()
    assert charts.to_png(spec).startswith(b"\x89PNG")
    svg = charts.to_svg(spec)
    assert "Site activation" in svg and "Sites activated" in svg


@pytest.mark.parametrize(
    "days, expected",
    [
        ([], []),
        ([D, None, D, D + dt.timedelta(1)], [("2026-01-05", 2), ("2026-01-06", 3)]),
        ([D + dt.timedelta(9), D], [("2026-01-05", 1), ("2026-01-14", 2)]),
    ],
)
def test_cumulative_counts_by_day_in_order(days, expected):
    assert charts.cumulative(days) == expected


def test_both_activation_lines_run_on_to_today():
    spec = charts.site_activation([D], [D + dt.timedelta(3)], today=TODAY)
    last = {row["series"]: row for row in spec["data"]["values"]}
    assert last["Planned"]["on"] == last["Actual"]["on"] == TODAY.isoformat()


def test_a_hidden_stage_is_left_out_of_the_funnel_not_drawn_as_zero():
    spec = charts.screening_funnel([("Screened", 40), ("Consented", None), ("Enrolled", 20)])
    stages = [
        row["stage"]
        for layer in spec["layer"]
        for row in spec.get("data", layer.get("data", {})).get("values", [])
    ]
    assert "Consented" not in stages
    assert charts.screening_funnel([("Screened", None)]) is None


def test_nothing_to_draw_gives_none():
    assert charts.enrollment_forecast([], [], 100) is None
    assert charts.site_activation([None], [], today=TODAY) is None
    assert charts.milestone_timeline([], today=TODAY) is None


def test_chart_tag_keeps_the_spec_inside_its_data_block():
    spec = {"title": "</script><script>alert(1)</script>", "mark": "bar"}
    html = Template("{% load charts %}{% chart spec %}").render(Context({"spec": spec}))
    assert html.count("</script>") == 1 and "<script>alert" not in html
    assert 'type="application/json"' in html and "data-vega-spec=" in html


def test_chart_tag_says_when_there_is_nothing_to_draw():
    html = Template("{% load charts %}{% chart spec %}").render(Context({"spec": None}))
    assert "Nothing to chart yet." in html and "<script" not in html


def test_a_drawn_chart_is_kept_as_a_file_by_its_digest_and_read_back_by_another_process(
    settings, tmp_path, monkeypatch
):
    settings.DATA_DIR = tmp_path
    spec = SPECS["obligations"]()
    charts.forget_pictures()
    picture = charts.to_jpeg(spec, scale=1)
    assert picture[:2] == b"\xff\xd8"  # a JPEG
    [kept] = (tmp_path / "charts").glob("*/*.jpeg")
    assert kept.name == f"{charts.chart_digest(spec, 'jpeg', scale=1, quality=92)}.jpeg"
    assert kept.read_bytes() == picture
    charts.forget_pictures()  # as another process would start: nothing in memory, the file on disk
    monkeypatch.setattr(charts.vl_convert, "vegalite_to_png", lambda *a, **k: pytest.fail("drawn again"))
    assert charts.to_jpeg(spec, scale=1) == picture
    other = {**spec, "title": "Another title"}
    assert charts.chart_digest(other, "jpeg", scale=1, quality=92) != charts.chart_digest(
        spec, "jpeg", scale=1, quality=92
    )


def test_a_chart_cache_that_cannot_be_written_only_draws_again(settings, tmp_path):
    (tmp_path / "charts").write_text("a file where the folder should be")
    settings.DATA_DIR = tmp_path
    charts.forget_pictures()
    assert charts.to_png(SPECS["obligations"](), scale=1).startswith(b"\x89PNG")
