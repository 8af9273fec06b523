"""The study status report and the portfolio report as PDF: read back with pypdf, what each person sees."""

import io

import pytest
from pypdf import PdfReader

from trialdesk.reporting import pdf, reports
from trialdesk.reporting.tests.factories import AE_TERM, PARTICIPANT, world_with_safety

pytestmark = pytest.mark.django_db

SECTIONS = (
    "Health",
    "Enrollment",
    "Site activation",
    "Milestones",
    "Safety",
    "Regulatory status",
    "Open issues and risks",
    "Key risk indicators",
    "Finance",
)


def text_of(report) -> str:
    reader = PdfReader(io.BytesIO(pdf.report_pdf(report)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_study_report_pdf_has_every_section_page_numbers_and_who_it_is_for(world):
    world_with_safety(world)
    text = text_of(reports.study_status_report(world.crm, world.study_a))
    for title in SECTIONS:
        assert title in text, title
    assert f"Study status report: {world.study_a.code}" in text
    assert "Generated for" in text and world.crm.username in text
    assert " UTC" in text
    assert "Page 1 of" in text


def test_crm_report_names_the_overdue_event_and_sponsor_viewer_report_has_counts_only(world):
    event = world_with_safety(world)
    crm_text = text_of(reports.study_status_report(world.crm, world.study_a))
    sponsor_text = text_of(reports.study_status_report(world.sponsor_viewer, world.study_a))
    assert AE_TERM in crm_text and event.number in crm_text
    assert AE_TERM not in sponsor_text
    assert event.number not in sponsor_text
    assert PARTICIPANT not in sponsor_text and "AE-SECRET" not in sponsor_text
    assert "Counts only" in sponsor_text
    # The sponsor counts the event without reading it: a count, not "0" or nothing.
    safety = next(
        s
        for s in reports.study_status_report(world.sponsor_viewer, world.study_a).sections
        if s.key == "safety"
    )
    assert dict(safety.block.figures)["Adverse events"] == "1"


def test_study_report_has_the_enrollment_and_activation_charts(world):
    world_with_safety(world)
    report = reports.study_status_report(world.crm, world.study_a)
    titles = [spec["title"] for spec in report.charts]
    assert any("Site activation" in title for title in titles)
    assert all(
        spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/") for spec in report.charts
    )


def test_a_reader_who_may_not_see_the_budget_gets_hidden_not_zero(world):
    report = reports.study_status_report(world.monitor, world.study_a)
    finance = next(s for s in report.sections if s.key == "finance")
    assert finance.block.summary.startswith("hidden") and not finance.block.figures
    assert "hidden" in text_of(report)


def test_portfolio_report_lists_only_the_readers_studies(world):
    world_with_safety(world)
    text = text_of(reports.portfolio_report(world.crm))
    assert world.study_a.code in text
    assert world.study_b.code not in text
    assert AE_TERM not in text and PARTICIPANT not in text
    assert "Portfolio report" in text and "Page 1 of" in text


@pytest.mark.parametrize(
    "headings, rows",
    [
        (("Study", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J"), (("ONC-A",) + ("not measured",) * 10,)),
        (("Event", "Obligation"), (("AE-0001", "x" * 300),)),
        (("Nothing",), ()),
    ],
)
def test_table_columns_fill_the_page_width(headings, rows):
    from trialdesk.core.extensions import ReportTable

    widths = pdf._widths(ReportTable(headings, rows))
    assert sum(widths) == pytest.approx(pdf.TEXT_WIDTH)
    assert all(width > 0 for width in widths)
