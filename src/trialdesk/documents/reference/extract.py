"""Rebuilds tmf_reference_model_v3.3.1.json from the CDISC workbook (run by hand; never at run time).

Usage: python -m trialdesk.documents.reference.extract \
    tests/data/tmf/Version_3.3.1_TMF_Reference_Model_11-Aug-2023.xlsx

The workbook is CDISC's TMF Reference Model v3.3.1 (11-Aug-2023), as CDISC publishes it; its work
products are public domain (source: tests/data/README.md).
"""

import json
import sys
from pathlib import Path

SHEET = "V 3.3.1 Clean"
OUTPUT = Path(__file__).with_name("tmf_reference_model_v3.3.1.json")
# Columns of the "V 3.3.1 Clean" sheet (0-based), as its third header row names them.
ZONE_NO, ZONE, SECTION_NO, SECTION, NUMBER, NAME, DEFINITION, SUBARTIFACTS, CORE, ICH = range(10)
UNIQUE_ID = 12
LEVEL_COLUMNS = {"trial": (20, 21), "country": (22, 23), "site": (24, 25)}


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _milestone(value) -> str:
    # One cell writes "#2 Clinical …" where the others write "02 Clinical …".
    text = _text(value)
    return "0" + text[1:] if text.startswith("#") and text[2] == " " else text


def artifact_rows(path: str) -> list[dict]:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True)[SHEET]
    artifacts = []
    for row in list(sheet.iter_rows(values_only=True))[3:]:
        if not row[NUMBER]:
            continue
        number = _text(row[NUMBER])
        levels = {
            level: _milestone(row[milestone])
            for level, (marker, milestone) in LEVEL_COLUMNS.items()
            if _text(row[marker]).upper() == "X"
        }
        artifacts.append(
            {
                "zone_number": number[:2],
                "zone_name": _text(row[ZONE]),
                "section_number": number[:5],
                "section_name": _text(row[SECTION]),
                "artifact_number": number,
                "artifact_name": _text(row[NAME]),
                "definition": _text(row[DEFINITION]),
                "recommended_subartifacts": [
                    _text(line) for line in str(row[SUBARTIFACTS] or "").splitlines() if _text(line)
                ],
                "core": _text(row[CORE]).lower() == "core",
                "ich_code": _text(row[ICH]),
                "unique_id": int(row[UNIQUE_ID]),
                "levels": levels,
            }
        )
    return artifacts


def main(path: str) -> None:
    document = {
        "name": "TMF Reference Model",
        "version": "3.3.1",
        "released_on": "2023-08-11",
        "source": "CDISC TMF Reference Model v3.3.1 workbook "
        "(Version_3.3.1_TMF_Reference_Model_11-Aug-2023.xlsx), "
        'sheet "V 3.3.1 Clean"; public domain per its "Model Overview" sheet',
        "levels_note": "levels: the TMF levels (trial, country, site) marked X in the workbook, "
        "each with the milestone/event by which the artifact is expected at that level "
        "('' when none is given)",
        "artifacts": artifact_rows(path),
    }
    OUTPUT.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
