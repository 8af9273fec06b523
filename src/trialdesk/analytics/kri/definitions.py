"""What a key risk indicator is, as gsm's reportingMetrics table defines one: what it counts, how it is
scored and flagged. The apps that hold the records behind a KRI define it (their `kris` module) and
register it with how to count it per site; statistics.kris scores them all the same way."""

import math
from dataclasses import dataclass

# gsm's flagging thresholds for most KRIs (gsm_reportingMetrics: "-3,-2,2,3").
GSM_THRESHOLDS = (-3.0, -2.0, 2.0, 3.0)


@dataclass(frozen=True)
class KriDefinition:
    """One KRI as gsm's reportingMetrics describes one: what it counts, how it is scored and flagged."""

    key: str
    name: str
    numerator: str
    denominator: str
    metric_type: str  # "rate" (events per unit of exposure) or "binary" (a proportion of a count)
    thresholds: tuple[float, ...]
    min_denominator: float
    counts: str  # what exactly is counted, in the CRM's words
    gsm_id: str | None = None  # the gsm KRI it corresponds to
    method: str = "normal"  # normal approximation with over-dispersion (gsm's Adjusted Z-Score)
    per: str = ""  # unit of the metric shown to people: "per participant-month" or "" for a share
    order: int = 500  # position among the KRIs (the first is the tab's default)

    def format_metric(self, metric: float | None) -> str:
        if metric is None or math.isnan(metric):
            return "—"
        return f"{metric:.3f}" if self.metric_type == "rate" else f"{metric:.1%}"
