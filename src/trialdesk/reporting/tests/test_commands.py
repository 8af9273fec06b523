"""`trialdesk report status|portfolio`: the PDF for a named person; bad input is one line and exit 1."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from trialdesk.reporting.tests.factories import AE_TERM, world_with_safety

pytestmark = pytest.mark.django_db


def text_of(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_status_report_for_the_sponsor_viewer_holds_no_event(world, tmp_path):
    world_with_safety(world)
    output = tmp_path / "status.pdf"
    out = io.StringIO()
    call_command(
        "report",
        "status",
        "--study",
        world.study_a.code,
        "--user",
        world.sponsor_viewer.username,
        "-o",
        str(output),
        stdout=out,
    )
    text = text_of(output)
    assert f"Study status report: {world.study_a.code}" in text and "Safety" in text
    assert AE_TERM not in text
    assert str(output) in out.getvalue()


def test_portfolio_report_command_writes_the_pdf(world, tmp_path):
    output = tmp_path / "portfolio.pdf"
    call_command("report", "portfolio", "--user", world.crm.username, "-o", str(output), stdout=io.StringIO())
    assert "Portfolio report" in text_of(output)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            ["status", "--study", "NOPE-1", "--user", "crm_anna"],
            "--study: no study has the protocol number 'NOPE-1'.",
        ),
        (["status", "--study", "{study_a}", "--user", "nobody"], "--user: no user is named 'nobody'."),
        (["status", "--study", "{study_b}", "--user", "crm_anna"], "--study: 'crm_anna' may not see study"),
        (["portfolio", "--user", "nobody"], "--user: no user is named 'nobody'."),
    ],
)
def test_bad_input_is_one_clear_line(world, tmp_path, arguments, message):
    arguments = [a.format(study_a=world.study_a.code, study_b=world.study_b.code) for a in arguments]
    with pytest.raises(CommandError) as refused:
        call_command("report", *arguments, "-o", str(tmp_path / "x.pdf"))
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "x.pdf").exists()


def test_output_folder_that_does_not_exist_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="^-o: the folder"):
        call_command(
            "report", "portfolio", "--user", world.crm.username, "-o", str(tmp_path / "no" / "p.pdf")
        )


def test_the_console_script_exits_non_zero_with_one_line(world, tmp_path):
    """Through Django's command runner, as `trialdesk report …` runs it: exit 1, one line on stderr."""
    from django.core.management import ManagementUtility

    err = io.StringIO()
    utility = ManagementUtility(
        ["trialdesk", "report", "portfolio", "--user", "nobody", "-o", str(tmp_path / "p.pdf")]
    )
    import contextlib

    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code == 1
    assert err.getvalue().strip().splitlines() == ["CommandError: --user: no user is named 'nobody'."]
