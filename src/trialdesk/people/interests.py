"""The interests listed in a financial disclosure as the record keeps them (a JSON list), validated with
their paths, and classified under 21 CFR 54.2 (disclosure_law)."""

from typing import Literal

from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict, RootModel, StrictBool, StrictStr, model_validator

from trialdesk.interop import json_documents
from trialdesk.people import disclosure_law
from trialdesk.people.rules import AMOUNT_BANDS, INTEREST_KINDS


class StoredInterest(BaseModel):
    """One interest in a financial disclosure, as the record keeps it (a JSON object); `publicly_traded`
    says whether an equity interest is in a publicly traded company (21 CFR 54.2(b))."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[tuple(INTEREST_KINDS)]
    amount_band: Literal[tuple(disclosure_law.ALL_AMOUNT_BANDS)]
    description: StrictStr = ""
    publicly_traded: StrictBool | None = None


class DisclosedInterest(StoredInterest):
    """An interest of a new disclosure: a current band, and for equity whether the company is public."""

    amount_band: Literal[tuple(AMOUNT_BANDS)]

    @model_validator(mode="after")
    def _equity_says_whether_public(self):
        if (
            self.kind == "equity_interest"
            and self.publicly_traded is None
            and self.amount_band != "not_monetary"
        ):
            raise ValueError(
                gettext(
                    "say whether the company is publicly traded (publicly_traded): any equity in one that is "
                    "not is disclosed (21 CFR 54.2(b))"
                )
            )
        if self.kind != "equity_interest" and self.publicly_traded is not None:
            raise ValueError(gettext("publicly_traded is said only of an equity interest"))
        return self


class DisclosedInterests(RootModel[list[DisclosedInterest]]):
    """The interests of a new disclosure: a list of {kind, amount_band, description, publicly_traded}."""


class StoredInterests(RootModel[list[StoredInterest]]):
    """The interests of a disclosure already on record (old bands allowed)."""


def interests_problems(interests, *, new: bool = True) -> list[str]:
    """Every bad field of a list of disclosed interests, each named by its path (`interests[1].kind`);
    a `new` disclosure takes only the current, non-overlapping bands."""
    try:
        json_documents.validate(DisclosedInterests if new else StoredInterests, interests, root="interests")
    except json_documents.DocumentError as error:
        return error.lines()
    return []


def classify_interests(interests) -> list[disclosure_law.Classification]:
    """The 21 CFR 54.2 classification of each interest of a disclosure on record."""
    return [
        disclosure_law.classify_interest(
            i.get("kind", ""), i.get("amount_band", ""), i.get("publicly_traded")
        )
        for i in interests or ()
        if isinstance(i, dict)
    ]
