"""Direct identifiers in free text: the pure detector behind the "possible identifier" warning on forms and
`trialdesk privacy scan` (issue 20 §4). No Django, no database: text (and the staff directory's names,
passed by the caller) in, findings out.

Participants are numbers, never names; a narrative, a deviation description, a note, a monitoring finding
or a document title that carries an e-mail address, a phone number, a date of birth, a national identifier
or a name is a likely breach of pseudonymisation. The formats recognised, and where they are defined:

- email: an e-mail address, local@domain.tld (the common subset of RFC 5322's addr-spec); a document
  title's file extension after it ("…@example.de.pdf") is not part of it.
- phone: international `+CC …` or `00CC …` with 8 to 15 digits (ITU-T E.164: at most 15), or a national
  number of 9 to 11 digits with a trunk 0, an area code in brackets or the North American 3-3-4 grouping;
  after "tel", "phone", "mobile", "call", "reached on", 7 to 15 digits however written. Not an EU trial
  (EudraCT) number, nor an ISO date.
- date_of_birth: a date (ISO 8601, day/month/year, or with the month's name) after "born", "DOB",
  "date of birth", "birth date", "birthday", "b.", "geb.", "née le", "fecha de nacimiento". A date alone
  is a visit's or an event's, not an identifier.
- national_id:
  - US Social Security number: AAA-GG-SSSS, area not 000, 666 or 9xx, group not 00, serial not 0000
    (SSA, "The SSN numbering scheme"); nine digits in a row only after "SSN" or "social security";
  - UK NHS number: 10 digits (often 3-3-4), check digit modulus 11 with weights 10 to 2 (NHS Data
    Dictionary, "NHS Number");
  - UK National Insurance number: two letters, six digits, A to D (HMRC, National Insurance Manual
    NIM39110: first letter not D, F, I, Q, U, V; second not those nor O);
  - French NIR (numéro d'inscription au répertoire): sex, year, month, département (2A/2B for Corsica),
    commune, order, and a key 97 - (number mod 97) (INSEE);
  - German tax identification number (IdNr, § 139b Abgabenordnung): 11 digits, no leading 0, exactly one
    digit repeated (two or three times) in the first ten, check digit ISO/IEC 7064 MOD 11,10 (BZSt).
- staff_name: a name from the staff directory (the caller's list), whole ("Anna Weber" or "Weber, Anna"),
  unless introduced as staff just before it ("Dr", "investigator", "CRA", "reviewed by", …).

The detector favours recall: a warning the writer dismisses costs a click, a missed identifier is a breach.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL, PHONE, DATE_OF_BIRTH, NATIONAL_ID, STAFF_NAME = (
    "email",
    "phone",
    "date_of_birth",
    "national_id",
    "staff_name",
)
KINDS: dict[str, str] = {
    EMAIL: "e-mail address",
    PHONE: "phone number",
    DATE_OF_BIRTH: "date of birth",
    NATIONAL_ID: "national identifier",
    STAFF_NAME: "name from the staff directory",
}
# When two findings overlap, the more specific one is kept (a valid NHS number is not also a phone number).
_PRIORITY = {NATIONAL_ID: 0, EMAIL: 1, DATE_OF_BIRTH: 2, PHONE: 3, STAFF_NAME: 4}


@dataclass(frozen=True)
class Finding:
    """One likely identifier: its kind, where it is in the text (`start`, `end`), and what it looks like
    (`detail`, e.g. "UK NHS number")."""

    kind: str
    start: int
    end: int
    detail: str = ""

    def label(self) -> str:
        return self.detail or KINDS[self.kind]


# E-mail ----------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")


# National identifiers -----------------------------------------------------------------------------------

_SSN = re.compile(r"(?<![\w+-])(?<!\d )(?!000|666|9\d\d)(\d{3})[- ](?!00)(\d{2})[- ](?!0000)(\d{4})(?![\w-])")
_SSN_CUED = re.compile(r"\b(?:SSN|social security(?: number| no\.?)?)\s*:?\s*#?\s*(\d{9})\b", re.IGNORECASE)
_NHS = re.compile(r"(?<![\w+-])(?<!\d )(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-])")
_NINO = re.compile(r"\b(?![DFIQUV])[A-CEGHJ-PR-TW-Z](?![DFIQUVO])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_NIR = re.compile(
    r"(?<![\w+-])(?<!\d )([12])[ .]?(\d{2})[ .]?(0[1-9]|1[0-2]|[2-9]\d)[ .]?(\d{2}|2[AB])"
    r"[ .]?(\d{3})[ .]?(\d{3})[ .]?(\d{2})(?![\w-])",
    re.IGNORECASE,
)
_TAX_ID = re.compile(r"(?<![\w+-])(?<!\d )([1-9]\d)[ ]?(\d{3})[ ]?(\d{3})[ ]?(\d{3})(?![\w-])")


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits; 11 - (sum mod 11) is
    the check digit, 11 meaning 0 and 10 meaning no valid number."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def nir_valid(number: str) -> bool:
    """The French NIR's key: 97 - (the first 13 characters as a number mod 97), Corsica's 2A and 2B
    counted as 19 and 18 (INSEE)."""
    number = number.upper()
    if len(number) != 15:
        return False
    body, key = number[:13], number[13:]
    body = body.replace("2A", "19", 1) if body[5:7] == "2A" else body
    body = body.replace("2B", "18", 1) if body[5:7] == "2B" else body
    if not (body.isdigit() and key.isdigit()):
        return False
    return 97 - int(body) % 97 == int(key)


def tax_id_valid(digits: str) -> bool:
    """The German IdNr: 11 digits, not starting with 0, exactly one digit occurring two or three times
    among the first ten, and the check digit of ISO 7064 MOD 11,10."""
    if len(digits) != 11 or not digits.isdigit() or digits[0] == "0":
        return False
    counts = Counter(digits[:10])
    repeated = [count for count in counts.values() if count > 1]
    if len(repeated) != 1 or repeated[0] > 3:
        return False
    product = 10
    for digit in digits[:10]:
        total = (int(digit) + product) % 10 or 10
        product = total * 2 % 11
    check = 11 - product
    return (0 if check == 10 else check) == int(digits[10])


# A document title may end the address with the file's extension ("…@example.de.pdf").
_FILE_EXTENSION = re.compile(r"\.(?:pdf|docx?|xlsx?|txt|jpe?g|png|msg|eml|zip)$", re.IGNORECASE)


def _emails(text: str) -> Iterable[Finding]:
    for match in _EMAIL.finditer(text):
        found = match.group()
        extension = _FILE_EXTENSION.search(found)
        end = match.end() - (len(extension.group()) if extension and found.count(".") > 1 else 0)
        yield Finding(EMAIL, match.start(), end)


def _national_ids(text: str) -> Iterable[Finding]:
    for match in _SSN.finditer(text):
        yield Finding(NATIONAL_ID, match.start(), match.end(), "US Social Security number")
    for match in _SSN_CUED.finditer(text):
        yield Finding(NATIONAL_ID, match.start(1), match.end(1), "US Social Security number")
    for match in _NHS.finditer(text):
        if nhs_number_valid(match.group(1) + match.group(3) + match.group(4)):
            yield Finding(NATIONAL_ID, match.start(), match.end(), "UK NHS number")
    for match in _NINO.finditer(text):
        yield Finding(NATIONAL_ID, match.start(), match.end(), "UK National Insurance number")
    for match in _NIR.finditer(text):
        if nir_valid("".join(match.groups())):
            yield Finding(NATIONAL_ID, match.start(), match.end(), "French NIR")
    for match in _TAX_ID.finditer(text):
        if tax_id_valid("".join(match.groups())):
            yield Finding(NATIONAL_ID, match.start(), match.end(), "German tax identification number")


# Dates of birth -----------------------------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})"
)
_BIRTH_CUE = (
    r"(?:\bborn(?: on)?|\bD\.?O\.?B\.?|\bdate of birth|\bbirth ?date|\bbirthday|\bb\.|\bgeb\.|"
    r"\bgeboren(?: am)?|\bnée?(?: le)?|\bfecha de nacimiento|\bnacid[oa](?: el)?)"
)
_DATE_OF_BIRTH = re.compile(rf"{_BIRTH_CUE}\s*(?:[:=]\s*|is\s+|was\s+|of\s+)?\(?({_DATE})", re.IGNORECASE)


def _dates_of_birth(text: str) -> Iterable[Finding]:
    for match in _DATE_OF_BIRTH.finditer(text):
        yield Finding(DATE_OF_BIRTH, match.start(1), match.end(1))


# Phone numbers ------------------------------------------------------------------------------------------

_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+./-])(?<!\d )(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w-])"
)
_PHONE_NATIONAL = re.compile(
    r"(?<![\w./-])(?<!\d )(?:\(0?\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}"  # (020) 7946 0958, (555) 010-4477
    r"|0\d{1,4}(?:[ ./-]\d{2,8}){1,4}"  # 030 12345678, 06 12 34 56 78, 0171/2345678
    r"|0\d{9,10}"  # 07700900123
    r"|\d{3}[.-]\d{3}[.-]\d{4})(?![\w/-])(?! \d)"  # 555-010-4477
)
_PHONE_CUED = re.compile(
    r"\b(?:tel|telephone|phone|mobile|cell|fax|call(?:ed)?|ring|reach(?:ed)?(?: at| on)?)\b"
    r"\.?:?\s*(?:no\.?\s*|number\s*)?"
    r"(\d[\d .-]{6,16}\d)",
    re.IGNORECASE,
)
# Trial and product numbers that look like phone numbers: an EU trial number or EudraCT number.
_NOT_A_PHONE = re.compile(r"^(?:\d{4}-\d{6}-\d{2}(?:-\d{2})?|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2})$")


def _digit_count(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _phones(text: str) -> Iterable[Finding]:
    for match in _PHONE_INTERNATIONAL.finditer(text):
        if 8 <= _digit_count(match.group()) <= 15:
            yield Finding(PHONE, match.start(), match.end())
    for match in _PHONE_NATIONAL.finditer(text):
        found = match.group()
        if 9 <= _digit_count(found) <= 11 and not _NOT_A_PHONE.match(found):
            yield Finding(PHONE, match.start(), match.end())
    for match in _PHONE_CUED.finditer(text):
        if 7 <= _digit_count(match.group(1)) <= 15:
            yield Finding(PHONE, match.start(1), match.end(1))


# Names from the staff directory -------------------------------------------------------------------------

_STAFF_CUE = re.compile(
    r"(?:\b(?:Dr|Prof|Professor|Nurse|Sister|investigator|sub-investigator|PI|CRA|CRC|monitor|coordinator|"
    r"pharmacist|physician|study nurse|(?:signed|reviewed|assessed|approved|countersigned|verified|"
    r"monitored|entered|prepared)(?: by)?)\.?,?\s*)$",
    re.IGNORECASE,
)


def _name_pattern(name: str) -> re.Pattern | None:
    parts = name.split()
    if len(parts) < 2 or any(len(part) < 2 for part in parts):
        return None  # a single word or an initial matches too much ordinary text
    full = r"\s+".join(re.escape(part) for part in parts)
    reverse = re.escape(parts[-1]) + r",\s*" + r"\s+".join(re.escape(part) for part in parts[:-1])
    return re.compile(rf"(?<!\w)(?:{full}|{reverse})(?!\w)", re.IGNORECASE)


def _staff_names(text: str, names: Iterable[str]) -> Iterable[Finding]:
    for name in names:
        pattern = _name_pattern(name)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if not _STAFF_CUE.search(text[max(0, match.start() - 40) : match.start()]):
                yield Finding(STAFF_NAME, match.start(), match.end())


# Together -----------------------------------------------------------------------------------------------


def find_identifiers(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """The likely direct identifiers in `text`, in order of position, none overlapping another.

    `names` are the staff directory's full names: found where they are not introduced as staff, they
    are a name used for a participant.

    >>> [f.kind for f in find_identifiers("Patient reachable at jo@example.org, DOB 03/04/1961.")]
    ['email', 'date_of_birth']
    """
    if not text:
        return []
    candidates = [
        *_national_ids(text),
        *_emails(text),
        *_dates_of_birth(text),
        *_phones(text),
        *_staff_names(text, names),
    ]
    kept: list[Finding] = []
    for finding in sorted(candidates, key=lambda f: (_PRIORITY[f.kind], f.start, -(f.end - f.start))):
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def masked(text: str, findings: Iterable[Finding]) -> str:
    """`text` with every finding replaced by its kind in brackets ("[e-mail address]")."""
    pieces, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        pieces.append(text[position : finding.start])
        pieces.append(f"[{KINDS[finding.kind]}]")
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


def excerpt(text: str, finding: Finding, findings: Iterable[Finding], *, width: int = 40) -> str:
    """The words around `finding`, every identifier in them masked (so an excerpt never shows one)."""
    start, end = max(0, finding.start - width), min(len(text), finding.end + width)
    # Widen to whole identifiers so that a masked one is never cut in half and half-shown.
    for other in findings:
        if other.start < start < other.end:
            start = other.start
        if other.start < end < other.end:
            end = other.end
    inside = [
        Finding(f.kind, f.start - start, f.end - start, f.detail)
        for f in findings
        if f.start >= start and f.end <= end
    ]
    shown = " ".join(masked(text[start:end], inside).split())
    return ("…" if start > 0 else "") + shown + ("…" if end < len(text) else "")
