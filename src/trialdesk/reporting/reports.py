"""The study status report (for a sponsor or a steering committee) and the portfolio report (for
leadership): every registered report section (core.extensions.report_sections) read for one person.

A report is a plain value that the page (templates/reporting/) and the PDF (reporting.pdf) both show, so
the two say the same thing, charts included. Times are stored and computed in UTC and shown labelled.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from trialdesk.core import extensions
from trialdesk.core.extensions import ReportBlock
from trialdesk.studies.selectors import studies_for


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    block: ReportBlock


@dataclass(frozen=True)
class Report:
    """A report as read by `generated_for` at `generated_at` (UTC), for the days of `as_of`."""

    title: str
    subtitle: str
    generated_at: dt.datetime
    generated_for: str
    as_of: dt.date
    sections: tuple[Section, ...]

    @property
    def generated_line(self) -> str:
        return gettext("Generated %(at)s UTC") % {"at": f"{self.generated_at:%Y-%m-%d %H:%M}"}

    @property
    def generated_for_line(self) -> str:
        return gettext("Generated for %(reader)s") % {"reader": self.generated_for}

    @property
    def charts(self) -> list[dict]:
        return [spec for section in self.sections for spec in section.block.charts]


def _reader(user) -> str:
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username


def study_status_report(user, study, *, today: dt.date | None = None) -> Report:
    """The status report of `study` (which the caller has already found in the user's scope)."""
    now = timezone.now()
    today = today or now.date()
    sections = []
    for section in extensions.report_sections:
        block = section.study(user, study, today) if section.study else None
        if block is not None:
            sections.append(Section(section.key, gettext(section.title), block))
    return Report(
        title=gettext("Study status report: %(code)s") % {"code": study.code},
        subtitle=(
            f"{study.title} · {gettext(study.get_phase_display())} · "
            + gettext("sponsor %(sponsor)s") % {"sponsor": study.sponsor}
            + f" · {gettext(study.get_status_display())}"
        ),
        generated_at=now,
        generated_for=_reader(user),
        as_of=today,
        sections=tuple(sections),
    )


def portfolio_report(user, *, today: dt.date | None = None) -> Report:
    """The portfolio report: every study the user may see, one table per section."""
    now = timezone.now()
    today = today or now.date()
    studies = list(studies_for(user).order_by("code"))
    sections = []
    for section in extensions.report_sections:
        block = section.portfolio(user, studies, today) if section.portfolio else None
        if block is not None:
            sections.append(Section(section.key, gettext(section.title), block))
    return Report(
        title=gettext("Portfolio report"),
        subtitle=ngettext("%(count)s study", "%(count)s studies", len(studies)) % {"count": len(studies)},
        generated_at=now,
        generated_for=_reader(user),
        as_of=today,
        sections=tuple(sections),
    )
