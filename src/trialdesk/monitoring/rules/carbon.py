"""The carbon cost of a monitoring trip, from published emission factors kept as data
(data/carbon_factors.json, with their source and year).

    distance_km = great-circle distance × the mode's routing factor (× 2 for a round trip)
    kg_co2e     = distance_km × the mode's factor

The great-circle distance is the haversine formula on a sphere of the mean Earth radius, 6,371.0088 km
(IUGG's mean radius R1 of the WGS 84 ellipsoid). A typed distance (one way, as travelled) replaces the
great-circle distance and its routing factor. Remote visits and central reviews travel nowhere: zero.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MEAN_EARTH_RADIUS_KM = 6371.0088
FACTORS_FILE = Path(__file__).resolve().parent.parent / "data" / "carbon_factors.json"
MODES = ("car", "rail", "air")


class CarbonInputError(ValueError):
    """A bad input to an estimate, naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CarbonEstimate:
    distance_km: float
    routing_factor: float
    factor_kg_co2e_per_km: float
    kg_co2e: float
    source: str

    def as_dict(self) -> dict:
        return {
            "distance_km": self.distance_km,
            "routing_factor": self.routing_factor,
            "factor_kg_co2e_per_km": self.factor_kg_co2e_per_km,
            "kg_co2e": self.kg_co2e,
            "source": self.source,
        }


@cache
def factors() -> dict:
    return json.loads(FACTORS_FILE.read_text(encoding="utf-8"))


def haversine_km(origin: tuple[float, float], destination: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points in degrees, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*origin, *destination))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def point_problem(point, field: str) -> None:
    """Refuse a point that is not (latitude, longitude) on Earth, naming `field`."""
    try:
        latitude, longitude = (float(value) for value in point)
    except (TypeError, ValueError):
        raise CarbonInputError(field, "Give the point as LAT,LON in decimal degrees.") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise CarbonInputError(field, "Give finite numbers.")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise CarbonInputError(field, f"({latitude}, {longitude}) is not a point on Earth.")


def mode_factor(mode: str, one_way_km: float) -> tuple[float, float, str]:
    """(factor kg CO2e per km, routing factor, the row it comes from) of a mode for a trip this long."""
    if mode not in MODES:
        raise CarbonInputError("mode", f"Choose one of {', '.join(MODES)}.")
    data = factors()["modes"][mode]
    if "bands" not in data:
        return data["factor_kg_co2e_per_km"], data["routing_factor"], data["row"]
    band = next(b for b in data["bands"] if b["up_to_km"] is None or one_way_km <= b["up_to_km"])
    return band["factor_kg_co2e_per_km"], data["routing_factor"], band["row"]


def source_line(row: str) -> str:
    return f"{factors()['source']}: {row}"


def estimate(
    *,
    origin: tuple[float, float] | None,
    destination: tuple[float, float] | None,
    mode: str,
    round_trip: bool,
    typed_km: float | None = None,
) -> CarbonEstimate:
    """The trip's distance and kg CO2e (a typed one-way distance overrides the geo points)."""
    if typed_km is not None:
        if not math.isfinite(typed_km) or typed_km < 0:
            raise CarbonInputError("distance_km", "Give a distance of 0 km or more.")
        one_way, routing = float(typed_km), 1.0
        factor, _, row = mode_factor(mode, one_way)
    else:
        if origin is None or destination is None:
            raise CarbonInputError("from" if origin is None else "to", "Give both points, or a distance.")
        point_problem(origin, "from")
        point_problem(destination, "to")
        great_circle = haversine_km(origin, destination)
        factor, routing, row = mode_factor(mode, great_circle)
        one_way = great_circle * routing
    distance = one_way * (2 if round_trip else 1)
    return CarbonEstimate(
        distance_km=round(distance, 3),
        routing_factor=routing,
        factor_kg_co2e_per_km=factor,
        kg_co2e=round(distance * factor, 3),
        source=source_line(row),
    )


def parse_point(text: str, field: str) -> tuple[float, float]:
    """'LAT,LON' as a point, refused with `field` named when it is not one."""
    parts = (text or "").split(",")
    if len(parts) != 2:
        raise CarbonInputError(field, f"{text!r}: give LAT,LON, e.g. 52.52,13.405.")
    try:
        point = (float(parts[0]), float(parts[1]))
    except ValueError:
        raise CarbonInputError(field, f"{text!r}: give LAT,LON in decimal degrees.") from None
    point_problem(point, field)
    return point
