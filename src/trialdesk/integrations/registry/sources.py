"""Where each registry rule comes from: citation, the date it applies from, and whether its text (or the
agency's own statement of it) was read when the rule was written; shown beside every deadline."""

import datetime as dt
from dataclasses import dataclass

FINAL_RULE = dt.date(2017, 1, 18)  # 42 CFR 11 took effect
EU_CTR = dt.date(2022, 1, 31)  # Regulation (EU) No 536/2014 applies


@dataclass(frozen=True)
class Source:
    """Where a registry rule comes from: its citation, the date it applies from, and whether its text (or
    the agency's own statement of it) was read for Trialdesk, and what was read."""

    citation: str
    in_force_from: dt.date | None
    verified: bool
    read: str


SOURCES = {
    "42 CFR 11.22(b)": Source(
        "42 CFR 11.22(b)",
        FINAL_RULE,
        False,
        "NLM knowledge base KA-03726 (quotes 11.22(b)(1)(ii)(D)(2) and (b)(2)(iv)(B)) and NLM's ACT "
        "checklist; the eCFR text itself not read",
    ),
    "42 CFR 11.24(a)": Source("42 CFR 11.24(a)", FINAL_RULE, False, "not read in this review"),
    "42 CFR 11.44(a)": Source(
        "42 CFR 11.44(a)",
        FINAL_RULE,
        False,
        "NLM knowledge base KA-03742 and KA-04732 (summary)",
    ),
    "42 CFR 11.44(b)": Source(
        "42 CFR 11.44(b)",
        FINAL_RULE,
        False,
        "NLM KA-04732: 30 calendar days after the earliest of the events, at most 2 years after the "
        "certification; NLM data element definitions (OMB 0925-0586): certification before the standard "
        "deadline; the eCFR text not read",
    ),
    "42 CFR 11.44(c)": Source("42 CFR 11.44(c)", FINAL_RULE, False, "as 11.44(b)"),
    "42 CFR 11.64(a)(1)(i)": Source("42 CFR 11.64(a)(1)(i)", FINAL_RULE, False, "university summaries"),
    "42 CFR 11.64(a)(1)(ii)": Source(
        "42 CFR 11.64(a)(1)(ii)",
        FINAL_RULE,
        False,
        "university summaries of the rule's update table (U Colorado, U Michigan, UT Austin); eCFR not read",
    ),
    "EU CTR 536/2014 Art. 37(4)": Source(
        "EU CTR 536/2014 Art. 37(4)",
        EU_CTR,
        True,
        "Art. 37(4), first subparagraph, consolidated text CELEX 02014R0536-20221205: within one year "
        "from the end of the trial in all Member States concerned",
    ),
    "Regulation (EC) No 1901/2006 Art. 46(1)": Source(
        "Regulation (EC) No 1901/2006 Art. 46(1); Commission guideline 2012/C 302/03",
        None,
        False,
        "EMA's EudraCT 'Trial results: modalities and timing of posting': paediatric trials within six "
        "months of the end of the trial; Art. 37(4) of the CTR as read names no six-month period",
    ),
    "Commission guideline 2012/C 302/03": Source(
        "Commission guideline 2012/C 302/03", None, False, "EMA's EudraCT posting document (summary)"
    ),
}
