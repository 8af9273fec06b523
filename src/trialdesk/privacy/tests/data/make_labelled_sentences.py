"""Writes labelled_sentences.json: synthetic free-text sentences of the kind written in AE narratives,
deviation descriptions, notes, monitoring findings and document titles, each with the direct identifiers
it holds (kind and exact text). Every value is made up; numbers carry valid check digits where the format
has one, so the set tests the detector's formats and not its checksums alone.

Run `python src/trialdesk/privacy/tests/data/make_labelled_sentences.py` to rewrite the file (fixed seed);
the hand-written hard cases at the end are the ones a pattern detector is expected to get wrong.
"""

import json
import random
from pathlib import Path

RNG = random.Random(20_261_207)
STAFF = [
    "Anna Weber",
    "Jonas Keller",
    "Marie Dubois",
    "Liam O'Connor",
    "Yuki Tanaka",
    "Carla Rossi",
    "Ahmed Haddad",
    "Sofia Lindgren",
    "Peter Novak",
    "Grace Mensah",
]
FIRST = ["anna", "j", "marie", "tom", "lea", "k", "paul", "rita", "sam", "nina"]
LAST = ["weber", "keller", "dubois", "smith", "tanaka", "rossi", "haddad", "lind", "novak", "mensah"]
DOMAINS = ["example.org", "mail.example.com", "example.de", "clinic.example.fr", "example.co.uk"]
MONTHS = ["January", "March", "May", "July", "September", "November", "Feb", "Oct"]


def email():
    sep = RNG.choice([".", "_", ""])
    number = RNG.randint(1, 99) if RNG.random() < 0.3 else ""
    return f"{RNG.choice(FIRST)}{sep}{RNG.choice(LAST)}{number}@{RNG.choice(DOMAINS)}"


def digits(n):
    return "".join(str(RNG.randint(0, 9)) for _ in range(n))


def phone():
    return RNG.choice(
        [
            lambda: f"+44 20 7946 {digits(4)}",
            lambda: f"+49 30 {digits(8)}",
            lambda: f"+33 6 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
            lambda: f"+1 555 {digits(3)} {digits(4)}",
            lambda: f"06 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
            lambda: f"(020) 7946 {digits(4)}",
            lambda: f"555-{digits(3)}-{digits(4)}",
            lambda: f"(555) {digits(3)}-{digits(4)}",
            lambda: f"030 {digits(8)}",
            lambda: f"0171/{digits(7)}",
            lambda: f"07700 900{digits(3)}",
            lambda: f"+81 3 {digits(4)} {digits(4)}",
        ]
    )()


def a_date():
    y, m, d = RNG.randint(1935, 2005), RNG.randint(1, 12), RNG.randint(1, 28)
    return RNG.choice(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{d:02d}/{m:02d}/{y}",
            f"{d}.{m}.{y}",
            f"{d} {RNG.choice(MONTHS)} {y}",
            f"{RNG.choice(MONTHS)} {d}, {y}",
        ]
    )


def ssn():
    area = RNG.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{RNG.randint(1, 99):02d}-{RNG.randint(1, 9999):04d}"


def nhs(valid=True):
    while True:
        body = digits(9)
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check == 10:
            continue
        last = check if valid else (check + RNG.randint(1, 9)) % 10
        number = body + str(last)
        return f"{number[:3]} {number[3:6]} {number[6:]}" if RNG.random() < 0.7 else number


def nino():
    first = RNG.choice("ABCEGHJKLMNPRSTWXYZ")
    second = RNG.choice("ABCEGHJKLMNPRSTWXYZ")
    body = digits(6)
    return RNG.choice(
        [
            f"{first}{second}{body}{RNG.choice('ABCD')}",
            f"{first}{second} {body[:2]} {body[2:4]} {body[4:]} {RNG.choice('ABCD')}",
        ]
    )


def nir():
    sex, year, month, place = RNG.randint(1, 2), RNG.randint(40, 99), RNG.randint(1, 12), RNG.randint(1, 95)
    body = f"{sex}{year:02d}{month:02d}{place:02d}{digits(3)}{digits(3)}"
    key = 97 - int(body) % 97
    return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}"


def tax_id(valid=True):
    while True:
        first = [str(d) for d in RNG.sample(range(10), 9)]
        if first[0] == "0":
            continue
        ten = first + [RNG.choice(first[1:])]
        RNG.shuffle(ten[1:])
        ten = "".join(ten)
        if ten[0] == "0":
            continue
        product = 10
        for d in ten:
            total = (int(d) + product) % 10 or 10
            product = total * 2 % 11
        check = 11 - product
        check = 0 if check == 10 else check
        return ten + str(check if valid else (check + 1) % 10)


NATIONAL = [
    ("US Social Security number", ssn),
    ("NHS number", nhs),
    ("National Insurance number", nino),
    ("NIR", nir),
    ("Steuer-ID", tax_id),
]

POSITIVE = {
    "email": [
        "Participant 101-{n} asked to be contacted at {v} about the next visit.",
        "AE narrative: the subject's daughter ({v}) reported the fall by e-mail.",
        "Note: the consent copy was sent to {v} by mistake.",
        "Finding: source worksheet lists the participant's e-mail {v}.",
        "Scanned ICF - {v}.pdf",
    ],
    "phone": [
        "Participant 102-{n} can be reached on {v} after 6 pm.",
        "The spouse phoned from {v} to report hospitalisation.",
        "Deviation: visit rescheduled by phone, number {v} written in the log.",
        "Finding: the participant's mobile {v} appears on the dosing diary.",
        "Call-back requested at {v} regarding the rash.",
    ],
    "date_of_birth": [
        "Subject born {v}, enrolled at site 101.",
        "DOB {v} recorded on the screening worksheet instead of year of birth.",
        "Date of birth: {v}; age verified against the eligibility criteria.",
        "The narrative states the participant was born on {v}.",
        "Geb. {v} - eligibility note for participant 103-{n}.",
    ],
    "national_id": [
        "The {k} {v} was copied into the AE narrative.",
        "Finding: pharmacy record shows {k} {v} next to participant 104-{n}.",
        "Note: hospital discharge letter with {v} filed in the ISF.",
        "Participant identified as {v} on the lab requisition.",
    ],
    "staff_name": [
        "Patient {v} reported dizziness after the second dose.",
        "The participant, {v}, withdrew consent on day 12.",
        "AE narrative: Mrs {v} was admitted to hospital with pneumonia.",
        "Subject {v} missed visit 4 because of travel.",
        "Deviation: ICF signed by the participant {v} on the wrong version.",
    ],
}
STAFF_CONTEXT = [
    "Dr {v} assessed the event as not related to study drug.",
    "Reviewed by {v} on the day of the visit.",
    "Investigator {v} signed the delegation log late.",
    "The CRA {v} verified the source documents for participant 101-{n}.",
    "Signed by {v}; participant 102-{n} re-consented.",
]
NEGATIVE = [
    "Participant 101-{n} had grade 2 nausea on 2024-03-{d:02d}, resolved without treatment.",
    "Creatinine 1.{d} mg/dL at visit 3; ALT 45 U/L (1.2 x ULN).",
    "EudraCT 2022-00{n}-31 amendment 3 approved by the ethics committee.",
    "Dose reduced to 150 mg twice daily from 12/03/2024 per protocol section 6.4.",
    "Visit 5 done out of window (day 93, window 84 +/- 7).",
    "Blood pressure 142/91 mmHg, heart rate 88 bpm, temperature 37.9 C.",
    "Study drug kit 00{n} dispensed; lot 20240{d}-A, expiry 2026-01-31.",
    "NCT0{n}5678 record updated with the new primary completion date.",
    "Protocol version 4.0 dated 15 May 2024 implemented at site 102.",
    "The participant's year of birth 1961 is consistent with the age criterion.",
    "Monitoring visit on 2024-06-{d:02d}: 12 of 14 ICFs verified, 2 queries open.",
    "Lab accession 20{n}{d}44 re-run after haemolysis.",
    "Screening number S-{n}-{d} failed inclusion criterion 4 (eGFR 38).",
    "SAE reported to the sponsor within 24 hours; follow-up 2 sent 2024-04-{d:02d}.",
    "Temperature log shows 2-8 C maintained except 3 hours at 9.1 C on 2024-02-{d:02d}.",
    "Hospitalised from 2024-05-{d:02d} to 2024-05-28 for elective knee surgery, pre-planned.",
    "IMP accountability: 28 tablets dispensed, 26 returned, compliance 93%.",
    "Participant 103-{n} received rescue medication at 14:30 and 18:45.",
    "TMF artifact 05.01.02 filed for site 104, version 2.",
    "ECG QTcF 468 ms at cycle 2 day 1, repeated 452 ms.",
]
HARD = [
    # Missed by design: an address written out to fool filters, and an unformatted 10-digit number.
    (
        "Participant wrote her address as anna dot weber at example dot org on the diary.",
        [["email", "anna dot weber at example dot org"]],
    ),
    ("The family can be reached on 5550104477 in the evening.", [["phone", "5550104477"]]),
    ("She was born in the spring of 1961, in Lyon.", []),
    ("Participant's birthday 3rd of March noted in the diary.", [["date_of_birth", "3rd of March"]]),
    ("Steuer-ID 86 095 742 719 on the travel reimbursement form.", [["national_id", "86 095 742 719"]]),
    ("Social security number 078051120 visible on the insurance card copy.", [["national_id", "078051120"]]),
    ("Participant aged 63 at screening; first-born child visited on 2024-01-03.", []),
    ("Study nurse Anna Weber drew the PK samples at 08:00.", []),
    ("Anna Weber, the study nurse, drew the PK samples.", []),
    ("Weber, Anna reported chest pain to the site on 2024-02-02.", [["staff_name", "Weber, Anna"]]),
    (
        "Hotline +44 (0) 20 7946 0000 printed on the participant card template.",
        [["phone", "+44 (0) 20 7946 0000"]],
    ),
    ("Lab reference 0301 2345 678 re-run.", []),
    ("The ISBN 978-3-16-148410-0 of the investigator brochure appendix is cited.", []),
    ("IBAN DE89 3704 0044 0532 0130 00 of the site for payments.", []),
    ("Batch 1234567890 of comparator received.", []),
    ("Visit window 2024-01-01 to 2024-01-15, born-again scheduling rule applied.", []),
    ("Contact the pharmacy at pharmacy@example.org for IMP questions.", [["email", "pharmacy@example.org"]]),
    ("Site fax 030 1234 5678 used to send the SAE form.", [["phone", "030 1234 5678"]]),
    ("Sponsor medical monitor: +1 555 010 4477.", [["phone", "+1 555 010 4477"]]),
    ("D.O.B. 1961-03-04 on the referral letter.", [["date_of_birth", "1961-03-04"]]),
    ("Participant 101-004's NHS no. 9434765871 appears on the discharge summary.", []),
    (
        "Participant 101-004's NHS no. 9434765919 appears on the discharge summary.",
        [["national_id", "9434765919"]],
    ),
    ("Reference 123-45-6789 of the shipment.", [["national_id", "123-45-6789"]]),
    ("Jonas Keller (participant 102-011) missed the visit.", [["staff_name", "Jonas Keller"]]),
    ("Ms Tanaka reported a headache; Dr Yuki Tanaka assessed it.", []),
]


def fill(template, value, kind_label=""):
    return template.format(v=value, n=f"{RNG.randint(1, 999):03d}", d=RNG.randint(1, 28), k=kind_label)


def sentences():
    made = []
    for kind, templates in POSITIVE.items():
        for i in range(30):
            template = templates[i % len(templates)]
            if kind == "email":
                value, label = email(), ""
            elif kind == "phone":
                value, label = phone(), ""
            elif kind == "date_of_birth":
                value, label = a_date(), ""
            elif kind == "national_id":
                label, make = NATIONAL[i % len(NATIONAL)]
                value = make()
            else:
                value, label = RNG.choice(STAFF), ""
            text = fill(template, value, label)
            made.append({"text": text, "identifiers": [[kind, value]]})
    for i in range(15):
        made.append(
            {"text": fill(STAFF_CONTEXT[i % len(STAFF_CONTEXT)], RNG.choice(STAFF)), "identifiers": []}
        )
    for i in range(60):
        made.append({"text": fill(NEGATIVE[i % len(NEGATIVE)], ""), "identifiers": []})
    for _ in range(10):
        accession = nhs(valid=False).replace(" ", "")
        made.append(
            {
                "text": f"Accession {accession} and claim {tax_id(valid=False)} re-filed.",
                "identifiers": [],
            }
        )
    for _ in range(10):
        a, b = email(), phone()
        made.append(
            {
                "text": f"Participant's relative {a} / {b} asked about results.",
                "identifiers": [["email", a], ["phone", b]],
            }
        )
    for text, identifiers in HARD:
        made.append({"text": text, "identifiers": identifiers})
    return made


if __name__ == "__main__":
    out = Path(__file__).with_name("labelled_sentences.json")
    document = {"staff_directory": STAFF, "sentences": sentences()}
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(document['sentences'])} sentences written to {out}")
