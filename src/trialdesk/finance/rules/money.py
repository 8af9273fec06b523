"""Money as `Decimal` in a currency's minor unit (ISO 4217), never float, with one rounding rule.

The minor units come from ISO 4217 List One (`currencies.json` beside this module names its source):
two decimals for the euro, none for the yen, three for the Bahraini dinar. Every amount Trialdesk
stores or shows is rounded to its currency's minor unit **half up** (0.005 EUR becomes 0.01 EUR,
-0.005 EUR becomes -0.01 EUR: away from zero at the half), the rule issue 15 gives for payable lines
and the one commercial accounting uses for invoices; conversions round the same way, once, at the end.
"""

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

ROUNDING = ROUND_HALF_UP
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@cache
def _table() -> dict[str, dict]:
    with (Path(__file__).parent / "currencies.json").open(encoding="utf-8") as handle:
        return json.load(handle)["currencies"]


def currency_problem(code: object) -> str | None:
    """Why `code` is not a currency Trialdesk knows (None when it is one)."""
    if not isinstance(code, str) or not code:
        return gettext("Give the currency as its three-letter ISO 4217 code, e.g. EUR.")
    if code not in _table():
        return gettext(
            "%(code)s is not an ISO 4217 currency code; use a code such as EUR, USD, GBP or JPY."
        ) % {"code": code}
    return None


def minor_unit(currency: str) -> int:
    """How many decimals the currency has (EUR 2, JPY 0, BHD 3); KeyError for an unknown code."""
    return int(_table()[currency]["minor_unit"])


@cache
def exponent(currency: str) -> Decimal:
    """The smallest amount of the currency as a Decimal exponent: 0.01 for EUR, 1 for JPY."""
    return Decimal(1).scaleb(-minor_unit(currency))


def rounded(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the currency's minor unit."""
    return Decimal(amount).quantize(exponent(currency), rounding=ROUNDING)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`percent` % of `amount`, rounded to the currency's minor unit."""
    return rounded(Decimal(amount) * Decimal(percent) / HUNDRED, currency)


def as_text(amount: Decimal, currency: str) -> str:
    """The amount as the API and commands write it: a plain string with the currency's decimals."""
    return f"{rounded(amount, currency):f}"


def shown(amount: Decimal | None, currency: str) -> str:
    """The amount as pages show it: "EUR 1,234.50", "JPY 120,000"; an em dash for None."""
    if amount is None:
        return "—"
    return f"{currency} {rounded(amount, currency):,.{minor_unit(currency)}f}"


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """A number from a form, a JSON document or a spreadsheet as an exact Decimal.

    A float is taken by its shortest repr (1200.1 is 1200.1, not 1200.09999…); booleans are refused, and
    so are negative amounts unless `allow_negative`. Raises ValueError with a message naming no field.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(gettext("Give an amount as a number, e.g. 1200.50."))
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(
            gettext("%(value)s is not an amount; give a number such as 1200.50.") % {"value": repr(value)}
        ) from None
    if not amount.is_finite():
        raise ValueError(gettext("Give a finite amount."))
    if amount < 0 and not allow_negative:
        raise ValueError(gettext("An amount cannot be negative."))
    return amount


def percent_problem(percent: Decimal, *, name: str, at_most: Decimal | None = HUNDRED) -> str | None:
    """Why a percentage is not acceptable: negative, or over `at_most` (a holdback over 100 %)."""
    if percent < 0:
        return f"The {name} cannot be negative."
    if at_most is not None and percent > at_most:
        return f"The {name} cannot be more than {Decimal(at_most).normalize():f} %."
    return None
