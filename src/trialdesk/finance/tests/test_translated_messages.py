"""Finance's validation messages follow the reader's language (issue 20 §6); English is unchanged."""

import datetime as dt

from django.utils import translation

from trialdesk.finance.rules import money, rates


def test_a_currency_and_a_missing_rate_are_explained_in_german():
    with translation.override("de"):
        assert money.currency_problem("XYZ").startswith("XYZ ist kein ISO-4217-Währungscode")
        assert str(rates.MissingRate("USD", "EUR", dt.date(2026, 1, 5))).startswith(
            "Kein Wechselkurs USD → EUR am 2026-01-05"
        )
    assert money.currency_problem("XYZ").startswith("XYZ is not an ISO 4217 currency code")
