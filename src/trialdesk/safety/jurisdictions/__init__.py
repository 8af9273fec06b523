"""Expedited safety reporting rules as data: one JSON file per jurisdiction, each rule citing its regulation.

A rule applies to an event when every fact named under `when` matches the event (facts: `serious`,
`expected`, `related`, `fatal_or_life_threatening`, `unanticipated_device_effect`) and the study's product
type is one of `products`. Its clock starts at `start` (`site_aware`, `sponsor_aware`, or `after:<rule id>`,
the due time of another obligation of the same event) and runs `length` calendar days, working days or
hours; a day clock is due at the end of the due day in the reporting party's time zone. Working days skip
weekends and the public holidays of the file's `holiday_calendar` (the `holidays` library): US federal
holidays, England and Wales bank holidays for the UK, Canadian national holidays, Japanese national
holidays, and for the EU the European Central Bank's TARGET closing days (the EU rules count calendar
days; TARGET is the one calendar common to all member states, chosen over any one sponsor's country).
A committee (IRB) policy names its own country's calendar. Devices are covered by the US rules only
(21 CFR 812.150); the EU Medical Device Regulation's vigilance rules are not modelled here.
`PROTOCOL.json` holds the investigator-to-sponsor rule that every study has whatever its countries.
"""
