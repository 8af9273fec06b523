"""Expedited safety reporting rules as data: one JSON file per jurisdiction, each rule citing its source.

A rule applies to an event when every fact named under `when` matches what is known of the event at one
piece of information (facts: `serious`, `expected`, `related`, `fatal_or_life_threatening`, `fatal`,
`unanticipated_device_effect`, `device_deficiency`, `imminent_risk`, `foreign_regulatory_measure`,
`research_report`), the study's product type is one of `products` (a combination product answers to drug
and device rules alike) and, with `site_in_country`, the event happened at a site in the jurisdiction.

Its clock starts at `start`:
- `site_aware` / `sponsor_aware`: when the site or the sponsor received the information that first made the
  event reportable under this rule (the initial report, or a later piece that reclassified it);
- `after:<rule id>`: when the report under that rule was actually made (a follow-up or complete report);
- `significant_information`: when the sponsor received significant new information on a report already
  made under one of the rules in `follows` (one obligation per such piece, key `<id>/v<number>`).
It runs `length` calendar days, working days or hours; a day clock is due at the end of the due day in the
reporting party's time zone. Working days skip weekends and the public holidays of the file's
`holiday_calendar` (the `holidays` library; for the EU the European Central Bank's TARGET closing days).

Every rule carries `in_force_from` / `in_force_until` (the law an event is judged by is the one in force
when its clock starts; a rule id may appear once per period, as the UK's after SI 2025/538), `citation`
(instrument, article, paragraph, date in force, source address, what was read) and `verified`: false where
the primary source could not be read when the rule was written; the application shows such rules as
"unverified". `distribution: sites` / `committees` marks a report sent to every investigator or committee,
tracked per site or committee with its acknowledgement. `PROTOCOL.json` holds the investigator-to-sponsor
rule that every study has whatever its countries.
"""
