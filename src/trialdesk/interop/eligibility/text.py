"""Criteria text split into inclusion and exclusion items, and the rules common patterns suggest.

Registry criteria are free text (ClinicalTrials.gov: Markdown with "Inclusion Criteria:" and "Exclusion
Criteria:" headings and bulleted or numbered items). Each bullet, sub-bullet included, becomes an item;
an item gets a suggested rule only when one pattern states all of it (an age range, an ECOG score, one
lab threshold with its unit, a history of one listed condition, pregnancy), so that a suggestion a person
confirms is seldom wrong; every other item stays manual.
"""

from __future__ import annotations

import re

from trialdesk.interop.eligibility.rules import ICD10, LOINC, SNOMED, Criterion

_HEADING = re.compile(r"^\W*(?:key\s+|main\s+|major\s+)?(inclusion|exclusion)\s+criteria\b[^.]*$", re.I)
# A sub-study's heading: "Eligibility criteria for the secondary randomisation to … Inclusion criteria".
_SUB_HEADING = re.compile(r"^eligibility criteria\b.*\b(inclusion|exclusion)\s+criteria:?$", re.I)
_BULLET = re.compile(r"^(\s*)(?:[*•\-–]|\d{1,2}[.)]|[a-z][.)]|\(\w{1,3}\))\s+(.*)$")
_ESCAPED = re.compile(r"\\([\\<>\[\]()*_#+\-.!~|])")


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", _ESCAPED.sub(r"\1", line)).strip()


def split_criteria(text: str, *, default_section: str = "inclusion") -> list[Criterion]:
    """The items of a criteria text in order, each under the last heading above it (no rules yet)."""
    section, items, current = default_section, [], None
    for raw in (text or "").splitlines():
        line = _clean(raw)
        if not line:
            current = None
            continue
        heading = _HEADING.match(line)
        if heading and len(line) < 80:
            section, current = heading.group(1).lower(), None
            continue
        if (heading := _SUB_HEADING.match(line)) and len(line) < 200:
            section, current = heading.group(1).lower(), None
            continue
        bullet = _BULLET.match(_ESCAPED.sub(r"\1", raw))
        if bullet:
            items.append([section, _clean(bullet.group(2))])
            current = items[-1]
        elif current is not None and raw[:1].isspace():
            current[1] = f"{current[1]} {line}"
        else:
            items.append([section, line])
            current = items[-1]
    return [Criterion(section, body) for section, body in items if body]


def parse_criteria(text: str, *, default_section: str = "inclusion") -> list[Criterion]:
    """The items of a criteria text, each with the rule its pattern suggests (or None)."""
    return [
        Criterion(item.section, item.text, suggest_rule(item.text))
        for item in split_criteria(text, default_section=default_section)
    ]


# Comparators in the words and signs registries use.
_COMPARATOR_WORDS = (
    (r"≥|>=|=>|greater than or equal to|at least|of at least|not less than|no less than|minimum of", ">="),
    (
        r"≤|<=|=<|less than or equal to|not more than|no more than|not greater than|no greater than|"
        r"not higher than|no higher than|not exceeding|up to|maximum of",
        "<=",
    ),
    (r">|greater than|more than|above|over|higher than|exceeding", ">"),
    (r"<|less than|below|under|lower than", "<"),
)
_COMPARATOR = "|".join(f"(?:{words})" for words, _ in _COMPARATOR_WORDS)


def _comparator(words: str) -> str:
    words = words.strip().lower()
    for pattern, sign in _COMPARATOR_WORDS:
        if re.fullmatch(pattern, words):
            return sign
    raise ValueError(words)


def _number(text: str) -> float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


# Age -----------------------------------------------------------------------------------------------

_AGE_WORD = r"(?:aged?|age of|years? of age|years old|yrs|years)"
_AGE_RANGE = re.compile(
    r"(?:aged?\s*|between\s*)?(\d{1,3})\s*(?:years?\s*)?(?:-|–|to|and)\s*(\d{1,3})\s*(?:years?|yrs)"
    r"(?:\s*(?:of age|old))?(?:,?\s*inclusive)?",
    re.I,
)
_AGE_BOUND = re.compile(
    rf"(?:age[ds]?\s*(?:is\s*)?({_COMPARATOR})\s*(\d{{1,3}})\s*(?:years?)?|"
    rf"({_COMPARATOR})\s*(\d{{1,3}})\s*(?:years?|yrs)\s*(?:of age|old)?)",
    re.I,
)
_AGE_ONLY = re.compile(
    r"^(?:male or female |men or women |males? and females? |adults? |patients? |subjects? |participants? |"
    r"healthy volunteers? |women |men |female |male )*"
    r"(?:aged?|who are|must be|is|are|age|\s)*",
    re.I,
)


# An age that times something else ("5 years since prior chemotherapy"), qualifies another criterion
# ("for children 3-<5 years", "for adolescents over 18 years of age, able to ..."), describes it
# ("Grades 9-12 (corresponding to 13-20 years of age)") or comes with a sex ("women of 20 to 30 years"):
# an age rule alone would not state the item.
_NOT_AGE_ALONE = re.compile(
    r"\bsince\b|\bafter\b|\bprior\b|\bgrades?\b|%|\bfor (?:children|adolescents|infants|those|patients|"
    r"participants|subjects)\b|\b(?<!or )(?:women|men|woman|man)\b(?! or)|"
    r"\b(?<!or )(?:females?|males?)\b(?! or)",
    re.I,
)


def _age_rule(text: str) -> dict | None:
    if any(re.search(pattern, text, re.I) for pattern, _, _ in LABS):
        return None
    if not re.search(r"\bage|years|yrs\b", text, re.I) or re.search(
        r"month|week|ULN|mg|dose|diagnos", text, re.I
    ):
        return None
    if len(text) > 120 or re.search(
        r"\b(and|with|who have|if)\b(?! (?:older|over|above|inclusive))", _AGE_RANGE.sub("", text), re.I
    ):
        return None
    if _NOT_AGE_ALONE.search(text):
        return None
    if match := _AGE_RANGE.search(text):
        low, high = int(match.group(1)), int(match.group(2))
        return {"kind": "age", "minimum": low, "maximum": high, "unit": "years"} if low < high else None
    if match := re.search(
        r"(\d{1,3})\s*(?:years?|yrs)\s*(?:of age\s*|old\s*)?(?:or|and)\s*"
        r"(older|over|above|more|younger|under|less)",
        text,
        re.I,
    ):
        value = int(match.group(1))
        if match.group(2).lower() in ("older", "over", "above", "more"):
            return {"kind": "age", "minimum": value, "maximum": None, "unit": "years"}
        return {"kind": "age", "minimum": None, "maximum": value, "unit": "years"}
    if match := _AGE_BOUND.search(text):
        words, value = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        sign, value = _comparator(words), int(value)
        if sign in (">=", ">"):
            return {"kind": "age", "minimum": value, "maximum": None, "unit": "years"}
        return {
            "kind": "age",
            "minimum": None,
            "maximum": value - 1 if sign == "<" else value,
            "unit": "years",
        }
    return None


# ECOG ------------------------------------------------------------------------------------------------

ECOG = {"system": LOINC, "code": "89247-1"}
_ECOG = re.compile(
    r"(?:ECOG|Eastern Cooperative Oncology Group|Zubrod)[^.;]{0,40}?(?:"
    rf"(?P<sign>{_COMPARATOR})\s*(?P<value>[0-4])\b|"
    r"(?:of\s+|score\s+|status\s+|:\s*)*(?P<low>[0-4])\s*(?:-|–|to)\s*(?P<high>[0-4])\b|"
    r"(?:of\s+|score\s+|status\s+|:\s*)*(?P<list>[0-4](?:\s*,\s*[0-4])*\s*,?\s*(?:or|and)\s*[0-4])\b)",
    re.I,
)


def _ecog_rule(text: str) -> dict | None:
    matches = list(_ECOG.finditer(text))
    if len(matches) != 1 or re.search(r"\b(KPS|Karnofsky|Lansky)\b", text, re.I):
        return None
    match = matches[0]
    if match.group("sign"):
        sign, value = _comparator(match.group("sign")), int(match.group("value"))
    elif match.group("high"):
        if int(match.group("low")) != 0:
            return None
        sign, value = "<=", int(match.group("high"))
    else:
        values = sorted(int(v) for v in re.findall(r"[0-4]", match.group("list")))
        if values != list(range(values[0], values[-1] + 1)) or values[0] != 0:
            return None
        sign, value = "<=", values[-1]
    return _observation(ECOG, "ECOG performance status", sign, value, "{score}")


# Labs ------------------------------------------------------------------------------------------------

# Lab names as written in criteria → (LOINC code, display name).
LABS = (
    (r"absolute neutrophil count|\bANC\b|neutrophils?(?: count)?", "751-8", "Absolute neutrophil count"),
    (r"platelets?(?: count)?|\bPLT\b", "777-3", "Platelets"),
    (r"ha?emoglobin\b(?! A1c)|\bHg?b\b(?!A1c)", "718-7", "Hemoglobin"),
    (r"HbA1c|ha?emoglobin A1c|glycated ha?emoglobin|\bA1C\b", "4548-4", "Hemoglobin A1c"),
    (
        r"(?:\beGFR\b|estimated glomerular filtration rate|\bGFR\b|glomerular filtration rate)"
        r"(?![^<>≤≥]*Cockcroft)",
        "62238-1",
        "eGFR",
    ),
    (r"creatinine clearance|\bCrCl\b", "2164-2", "Creatinine clearance"),
    (r"Cockcroft[- ]Gault", "35591-7", "Creatinine clearance (Cockcroft-Gault)"),
    (r"(?:serum )?creatinine(?! clearance)", "2160-0", "Creatinine"),
    (r"total bilirubin|bilirubin", "1975-2", "Total bilirubin"),
    (r"\bALT\b|alanine (?:amino)?transaminase|alanine aminotransferase|\bSGPT\b", "1742-6", "ALT"),
    (r"\bAST\b|aspartate (?:amino)?transaminase|aspartate aminotransferase|\bSGOT\b", "1920-8", "AST"),
    (r"body mass index|\bBMI\b", "39156-5", "Body mass index"),
    (r"(?:left ventricular )?ejection fraction|\bLVEF\b", "10230-1", "Left ventricular ejection fraction"),
    (r"white blood cell(?: count)?|\bWBC\b|leukocytes?(?: count)?", "6690-2", "Leukocytes"),
    (r"absolute lymphocyte count|lymphocytes?(?: count)?", "731-0", "Lymphocytes"),
    (r"fasting (?:blood |plasma )?glucose", "1558-6", "Fasting glucose"),
    (r"\bweight\b|body weight", "29463-7", "Body weight"),
)
# Units as written → UCUM. An amount per cubic millimetre is per microlitre.
UNITS = (
    (r"(?:x|×|\*)\s*10\s*(?:\^|\*|e)?\s*(?:9|⁹)\s*/\s*L", "10*9/L"),
    (r"(?:x|×|\*)\s*10\s*(?:\^|\*|e)?\s*(?:3|³)\s*/\s*(?:µ|u|micro|m)?L(?![a-z])", "10*3/uL"),
    (r"(?:cells\s*)?/\s*(?:mm\s*(?:3|\^3|³)|µL|uL|mcL|microliter|cubic mm)", "/uL"),
    (r"mL\s*/\s*min(?:ute)?\s*/\s*1\.73\s*m\s*(?:2|\^2|²)", "mL/min/{1.73_m2}"),
    (r"mL\s*/\s*min(?:ute)?", "mL/min"),
    (r"g\s*/\s*dL", "g/dL"),
    (r"mg\s*/\s*dL", "mg/dL"),
    (r"g\s*/\s*L", "g/L"),
    (r"(?:µ|u|micro)mol\s*/\s*L", "umol/L"),
    (r"mmol\s*/\s*mol", "mmol/mol"),
    (r"mmol\s*/\s*L", "mmol/L"),
    (r"(?:I?U|units)\s*/\s*L", "U/L"),
    (r"kg\s*/\s*m\s*(?:2|\^2|²)", "kg/m2"),
    (r"kg\b", "kg"),
    (r"%", "%"),
)
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_UNIT = "|".join(f"(?:{pattern})" for pattern, _ in UNITS)
_THRESHOLD = re.compile(rf"({_COMPARATOR})\s*{_NUMBER}\s*({_UNIT})", re.I)


def _unit(written: str) -> str:
    for pattern, ucum in UNITS:
        if re.fullmatch(pattern, written.strip(), re.I):
            return ucum
    raise ValueError(written)


def _observation(code: dict, display: str, sign: str, value, unit: str) -> dict:
    return {
        "kind": "observation",
        "code": dict(code),
        "comparator": sign,
        "value": value,
        "unit": unit,
        "within_days": None,
        "display": display,
    }


def _lab_rule(text: str) -> dict | None:
    thresholds = list(_THRESHOLD.finditer(text))
    if len(thresholds) != 1 or re.search(
        r"\bULN\b|upper limit|lower limit|\bLLN\b|institutional|\b(?:loss|gain|change|increase|decrease|"
        r"reduction|drop)\b",
        text,
        re.I,
    ):
        return None
    threshold = thresholds[0]
    named = [
        (code, name) for pattern, code, name in LABS if re.search(pattern, text[: threshold.start()], re.I)
    ]
    if len(named) != 1 or re.search(r"\b(or|and)\b", text[threshold.end() :], re.I):
        return None
    rest = text[: threshold.start()] + text[threshold.end() :]
    if re.search(r"[<>≤≥]|\b(?:years?|days?) of age\b", rest):  # another comparison: more than one criterion
        return None
    code, name = named[0]
    value, unit = _number(threshold.group(2)), _unit(threshold.group(3))
    return _observation({"system": LOINC, "code": code}, name, _comparator(threshold.group(1)), value, unit)


# Conditions -----------------------------------------------------------------------------------------

# Conditions named in criteria → (ICD-10 code or range, display). Descendants match by prefix.
CONDITIONS = (
    (r"HIV|human immunodeficiency virus", "B20-B24", "HIV disease"),
    (r"hepatitis B|\bHBV\b", "B18.1", "Chronic hepatitis B"),
    (r"hepatitis C|\bHCV\b", "B18.2", "Chronic hepatitis C"),
    (r"myocardial infarction|heart attack", "I21", "Acute myocardial infarction"),
    (r"stroke|cerebrovascular accident", "I63", "Cerebral infarction"),
    (r"(?:congestive )?heart failure", "I50", "Heart failure"),
    (r"epilepsy|seizures?(?: disorder)?", "G40", "Epilepsy"),
    (r"type 1 diabetes", "E10", "Type 1 diabetes mellitus"),
    (r"type 2 diabetes", "E11", "Type 2 diabetes mellitus"),
    (r"tuberculosis", "A15-A19", "Tuberculosis"),
    (r"cirrhosis", "K74", "Fibrosis and cirrhosis of liver"),
    (r"pancreatitis", "K85", "Acute pancreatitis"),
    (
        r"organ transplant(?:ation)?|(?:lung|liver|kidney|heart) transplant(?:ation)?",
        "Z94",
        "Transplanted organ",
    ),
    (r"interstitial lung disease|pneumonitis", "J84", "Interstitial lung disease"),
    (r"multiple sclerosis", "G35", "Multiple sclerosis"),
    (r"alcohol (?:abuse|dependence|use disorder)", "F10", "Alcohol-related disorders"),
    (r"(?:drug|substance) (?:abuse|dependence|use disorder)", "F11-F19", "Substance-related disorders"),
    (r"autoimmune disease", "M30-M36", "Systemic connective tissue disorders"),
    (r"Guillain[- ]Barr[eé](?: syndrome)?", "G61.0", "Guillain-Barré syndrome"),
    (r"cardiogenic shock", "R57.0", "Cardiogenic shock"),
)
_SEROPOSITIVE = re.compile(
    r"^(?:the )?(?:patient|participant|subject)s? (?:is|are) (?:HIV|human immunodeficiency virus)"
    r"[- ]?(?:sero)?positive\.?$|^(?:HIV|human immunodeficiency virus)[- ](?:sero)?positive\.?$",
    re.I,
)
_HISTORY = re.compile(
    r"^(?:(?:a |any |prior |previous |known |documented |active |current |personal |clinical |significant )*"
    r"(?:history of|diagnosis of|diagnosed with)\s+|(?:known|active|current|documented|prior)\s+)",
    re.I,
)
_TIME_WINDOW = re.compile(
    r"within (?:the )?(?:(?:past|last|previous|prior) )?(\d{1,3})\s*(day|week|month|year)s?", re.I
)
_DAYS_PER = {"day": 1, "week": 7}


def window_days(value: int, unit: str) -> int:
    """A time window in whole days: months and years by the units library's mean calendar lengths."""
    if unit in _DAYS_PER:
        return value * _DAYS_PER[unit]
    from pint import UnitRegistry

    return round(UnitRegistry().Quantity(value, unit).to("day").magnitude)


def _condition_rule(text: str) -> dict | None:
    if _SEROPOSITIVE.match(text.strip()):
        text = "known HIV"
    lead = _HISTORY.match(text)
    rest = (text[lead.end() :] if lead else text).rstrip(". ")
    window = _TIME_WINDOW.search(rest)
    subject = rest[: window.start()].strip(" ,") if window else rest
    found = [
        (code, name)
        for pattern, code, name in CONDITIONS
        if re.fullmatch(rf"(?:an? )?(?:{pattern})(?: infection| disease)?", subject, re.I)
    ]
    if len(found) != 1 or (window and rest[window.end() :].strip(" ,.")):
        return None
    code, name = found[0]
    within = window_days(int(window.group(1)), window.group(2).lower()) if window else None
    return {
        "kind": "condition",
        "code": {"system": ICD10, "code": code},
        "present": True,
        "within_days": within,
        "display": name,
    }


PREGNANCY = {"system": SNOMED, "code": "77386006"}
_PREGNANCY = re.compile(
    r"^(?:(?:women|females|participants|patients|subjects)(?: who are)? )?"
    r"(?:pregnant|pregnancy|currently pregnant)(?: (?:women|females|patients))?"
    r"(?: or (?:planning|intending|plan) to become pregnant(?: during the study)?)?\.?$|"
    r"^(?:a )?positive (?:serum |urine )?pregnancy test\.?$",
    re.I,
)


def _pregnancy_rule(text: str) -> dict | None:
    if not _PREGNANCY.match(text.strip()):
        return None
    return {
        "kind": "condition",
        "code": dict(PREGNANCY),
        "present": True,
        "within_days": None,
        "display": "Pregnancy",
    }


_SEX = re.compile(
    r"^(?:(?:must be |be )?(female|male)s?|(wom[ae]n|m[ae]n)(?: only)?)"
    r"(?: (?:patients|participants|subjects))?(?:\.|\.\.\.|…)?$",
    re.I,
)
# An item's own label in front of it ("SI05: ", "E3. ").
_ITEM_LABEL = re.compile(r"^[A-Z]{1,3}\d{1,3}[:.]\s+")


def _sex_rule(text: str) -> dict | None:
    match = _SEX.match(_ITEM_LABEL.sub("", text.strip()))
    if not match:
        return None
    word = (match.group(1) or match.group(2)).lower()
    return {"kind": "sex", "sex": "female" if word in ("female", "women", "woman") else "male"}


def suggest_rule(text: str) -> dict | None:
    """The rule a common pattern states for this item, or None (the item stays manual)."""
    for suggest in (_sex_rule, _pregnancy_rule, _ecog_rule, _condition_rule, _lab_rule, _age_rule):
        if (rule := suggest(text)) is not None:
            return rule
    return None


# Registry fields ------------------------------------------------------------------------------------

_AGE_FIELD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day)s?\s*$", re.I)


def registry_age_rule(minimum: str, maximum: str) -> dict | None:
    """The age rule of a registry's minimum and maximum age fields ("18 Years", "6 Months")."""
    bounds = {}
    units = set()
    for name, written in (("minimum", minimum), ("maximum", maximum)):
        match = _AGE_FIELD.match(written or "")
        if match:
            bounds[name] = _number(match.group(1))
            units.add(match.group(2).lower() + "s")
    if units == {"months", "years"} and (maximum or "").lower().strip().endswith("years"):
        # "3 Months" to "17 Years": in completed months, up to the last month before the 18th birthday.
        bounds["maximum"], units = (bounds["maximum"] + 1) * 12 - 1, {"months"}
    if not bounds or len(units) != 1:
        return None
    return {
        "kind": "age",
        "minimum": bounds.get("minimum"),
        "maximum": bounds.get("maximum"),
        "unit": units.pop(),
    }


def registry_sex_rule(sex: str) -> dict | None:
    """The sex rule of a registry's sex field (ALL is no rule)."""
    return {"kind": "sex", "sex": sex.lower()} if (sex or "").upper() in ("FEMALE", "MALE") else None
