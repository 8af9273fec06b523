"""Statistics' what-if errors and the charts' words in the reader's language (issue 20 §6): German while
German is active, the same English as before otherwise, and a German chart kept apart from the English one."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from trialdesk.core import charts
from trialdesk.statistics import scenarios

AS_OF = dt.date(2026, 3, 2)


def _errors(language: str) -> dict:
    what_if = scenarios.WhatIf(planned_end=AS_OF, prior=(2.0, 60.0), rate_per_month=1.0)
    with translation.override(language), pytest.raises(ValidationError) as raised:
        scenarios._check_options(what_if, AS_OF)
    return raised.value.message_dict


def test_a_what_if_error_follows_the_readers_language():
    assert _errors("en") == {
        "planned_end": ["2026-03-02 must be after the as-of date 2026-03-02."],
        "rate_per_month": ["Give either a prior (alpha, beta) or a rate per month, not both."],
    }
    assert _errors("de")["planned_end"] == ["2026-03-02 muss nach dem Stichtag 2026-03-02 liegen."]


def test_a_chart_in_german_has_german_words_and_its_own_digest():
    def spec(language: str) -> dict:
        with translation.override(language):
            return charts.site_activation([AS_OF], [AS_OF], today=AS_OF)

    english, german = spec("en"), spec("de")
    assert english["title"] == "Site activation: planned and actual"
    assert german["title"] == "Aktivierung der Prüfzentren: geplant und tatsächlich"
    assert "Aktivierte Prüfzentren" in str(german) and "Sites activated" not in str(german)
    assert charts.chart_digest(english, "png", scale=2.0) != charts.chart_digest(german, "png", scale=2.0)


def test_a_forecast_is_stored_in_english_and_its_reason_said_in_the_readers_language(world):
    from trialdesk.statistics import forecasts

    with translation.override("de"):  # stored in English whoever computes it
        stored = forecasts.refresh_enrollment_forecast(study=world.study_a, as_of=AS_OF)
    assert stored.reason.startswith("0 site(s) recruiting and 0 enrolled")
    assert stored.prior_note.startswith("0 site(s) recruiting and 0 enrolled")
    with translation.override("de"):
        read = forecasts.current_enrollment_forecast(study=world.study_a, as_of=AS_OF)
    assert read.pk == stored.pk and read.reason.startswith("0 rekrutierende(s) Prüfzentrum/-zentren")
