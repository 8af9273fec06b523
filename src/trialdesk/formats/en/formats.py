"""English (en-gb) short dates stay ISO 8601, as the pages showed them before they were translated; the
other languages take Django's own (German 01.03.2026, French and Spanish 01/03/2026, Japanese 2026/03/01)."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
