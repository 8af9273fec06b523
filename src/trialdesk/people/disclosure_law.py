"""Which interests in a financial disclosure 21 CFR 54 makes the sponsor disclose to the FDA (Form FDA 3455),
pure. Each interest falls in exactly one amount band and each classification names its paragraph.

21 CFR 54.2 (read in the text current through 30 September 2024; in force since 2 February 1999):
- (a) compensation affected by the outcome of the study: any amount;
- (b) significant equity interest in the sponsor: ANY interest whose value cannot be readily determined
  through public prices (generally, in a company that is not publicly traded), or an equity interest in a
  publicly traded company that "exceeds $50,000";
- (c) proprietary interest in the tested product (patent, trademark, copyright, licensing agreement): any;
- (f) significant payments of other sorts: "a monetary value of more than $25,000" (cumulative, during the
  study and one year after), exclusive of the costs of conducting the study. Paragraph (f) itself was not
  read for Trialdesk (only as FDA's guidance is cited), so its rule is marked unverified.

Both thresholds are strict: USD 25,000 exactly is not a significant payment, USD 50,000 exactly is not a
significant public equity interest. The bands are cut at those two amounts, so no band straddles one.
"""

from dataclasses import dataclass

# Amount bands, non-overlapping, cut at the thresholds of 54.2(b) and (f).
AMOUNT_BANDS: dict[str, str] = {
    "up_to_25k": "USD 25,000 or less",
    "over_25k_to_50k": "More than USD 25,000, up to USD 50,000",
    "over_50k_to_100k": "More than USD 50,000, up to USD 100,000",
    "over_100k": "More than USD 100,000",
    "not_monetary": "No readily determined value (e.g. shares of a company not publicly traded)",
}
# Bands of disclosures recorded before issue 13, kept readable: "USD 25,000 – 50,000" and "USD 50,000 –
# 100,000" both contain a threshold amount, so what they say about it is unknown.
LEGACY_AMOUNT_BANDS: dict[str, str] = {
    "under_25k": "Under USD 25,000 (old band)",
    "25k_50k": "USD 25,000 – 50,000 (old band, includes USD 25,000 exactly)",
    "50k_100k": "USD 50,000 – 100,000 (old band, includes USD 50,000 exactly)",
}
ALL_AMOUNT_BANDS = {**AMOUNT_BANDS, **LEGACY_AMOUNT_BANDS}

# Lowest and highest amount in USD of each band (None: open or no value); legacy bands keep their ends.
_RANGE: dict[str, tuple[float | None, float | None, bool]] = {
    # band: (low, high, low end included)
    "up_to_25k": (0, 25_000, True),
    "over_25k_to_50k": (25_000, 50_000, False),
    "over_50k_to_100k": (50_000, 100_000, False),
    "over_100k": (100_000, None, False),
    "under_25k": (0, 25_000, True),
    "25k_50k": (25_000, 50_000, True),
    "50k_100k": (50_000, 100_000, True),
}

PAYMENT_THRESHOLD = 25_000  # 54.2(f): more than
PUBLIC_EQUITY_THRESHOLD = 50_000  # 54.2(b): exceeds


@dataclass(frozen=True)
class Classification:
    """Whether one interest is a disclosable financial interest (True, False, None: not known), under
    which paragraph, why, and whether that paragraph was read."""

    significant: bool | None
    citation: str
    why: str
    verified: bool = True


def _above(band: str, threshold: int) -> bool | None:
    """Whether every amount of `band` is above `threshold` (True), none is (False), or it straddles (None)."""
    if band not in _RANGE:
        return None
    low, high, low_included = _RANGE[band]
    if low is not None and (low > threshold or (low == threshold and not low_included)):
        return True
    if high is not None and high <= threshold:
        return False
    return None


def classify_interest(kind: str, amount_band: str, publicly_traded: bool | None = None) -> Classification:
    """The 21 CFR 54.2 classification of one disclosed interest."""
    if kind == "outcome_compensation":
        return Classification(True, "21 CFR 54.2(a)", "compensation affected by the outcome: any amount")
    if kind == "proprietary_interest":
        return Classification(
            True, "21 CFR 54.2(c)", "proprietary interest in the tested product: any amount"
        )
    if kind == "equity_interest":
        return _equity(amount_band, publicly_traded)
    if kind == "significant_payment":
        return _payment(amount_band)
    return Classification(None, "21 CFR 54.2", "not one of the interests 21 CFR 54.2 defines: review it")


def _equity(band: str, publicly_traded: bool | None) -> Classification:
    if publicly_traded is False or band == "not_monetary":
        return Classification(
            True,
            "21 CFR 54.2(b)",
            "equity whose value is not set by public prices (not publicly traded): any",
        )
    above = _above(band, PUBLIC_EQUITY_THRESHOLD)
    if above is True:
        return Classification(True, "21 CFR 54.2(b)", "equity in the sponsor exceeding USD 50,000")
    if publicly_traded is None:
        return Classification(
            None,
            "21 CFR 54.2(b)",
            "say whether the company is publicly traded: any equity in one that is not is disclosed",
        )
    if above is False:
        return Classification(
            False, "21 CFR 54.2(b)", "equity in a publicly traded sponsor of USD 50,000 or less"
        )
    return Classification(
        None,
        "21 CFR 54.2(b)",
        f"the band {ALL_AMOUNT_BANDS.get(band, band)!r} straddles USD 50,000: record it again",
    )


def _payment(band: str) -> Classification:
    above = _above(band, PAYMENT_THRESHOLD)
    if above is True:
        return Classification(
            True, "21 CFR 54.2(f)", "payments of other sorts of more than USD 25,000", False
        )
    if above is False:
        return Classification(False, "21 CFR 54.2(f)", "payments of other sorts of USD 25,000 or less", False)
    return Classification(
        None,
        "21 CFR 54.2(f)",
        f"the band {ALL_AMOUNT_BANDS.get(band, band)!r} straddles USD 25,000 or has no value: record it "
        "again",
        False,
    )


def disclosure_reportable(classifications: list[Classification]) -> bool | None:
    """Whether a disclosure holds an interest to disclose: True if any does, None if any is not known."""
    if any(c.significant for c in classifications):
        return True
    if any(c.significant is None for c in classifications):
        return None
    return False
