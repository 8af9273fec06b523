"""The health thresholds a study is judged by: each registered threshold's default, or the study's own."""

from trialdesk.core import extensions
from trialdesk.studies.models import HealthThreshold


def thresholds_of(study) -> dict[str, float]:
    """{key: value} for every registered threshold: the study's own where its CRM set one. One query per
    study, kept on the instance so that every signal read for one page shares it."""
    cached = getattr(study, "_health_thresholds", None)
    if cached is None:
        own = dict(HealthThreshold.objects.filter(study_id=study.pk).values_list("key", "value"))
        cached = {item.key: own.get(item.key, item.default) for item in extensions.health_thresholds}
        study._health_thresholds = cached
    return cached


def threshold(study, key: str) -> float:
    """The value of one threshold for `study` (KeyError for a key no app registered)."""
    return thresholds_of(study)[key]


def rows_of(study) -> list[dict]:
    """Every registered threshold for the form, the page and the API: its definition, the study's value
    and whether that is the default."""
    own = dict(HealthThreshold.objects.filter(study_id=study.pk).values_list("key", "value"))
    return [
        {
            "key": item.key,
            "label": item.label,
            "unit": item.unit,
            "default": item.default,
            "value": own.get(item.key, item.default),
            "is_default": item.key not in own,
            "minimum": item.minimum,
            "maximum": item.maximum,
        }
        for item in extensions.health_thresholds
    ]
