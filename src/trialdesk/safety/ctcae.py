"""The CTCAE v5.0 term list shipped in `reference/` (NCI, public domain; see reference/README.md)."""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from trialdesk.safety.rules.consistency import closest_terms

TERMS_FILE = Path(__file__).parent / "reference" / "ctcae_v5.0_terms.json"
VERSION = "CTCAE v5.0"


@dataclass(frozen=True)
class Term:
    """One CTCAE term with its MedDRA code and system organ class, and the definition of each grade."""

    term: str
    meddra_code: str
    soc: str
    definition: str
    grades: dict[int, str]

    def grade_definition(self, grade: int | None) -> str:
        return self.grades.get(grade, "") if grade else ""


@functools.lru_cache(maxsize=1)
def terms() -> dict[str, Term]:
    """Every term by its lower-cased name (837 terms)."""
    raw = json.loads(TERMS_FILE.read_text(encoding="utf-8"))
    found = {}
    for row in raw["terms"]:
        grades = {g: row[f"grade_{g}"] for g in range(1, 6) if row.get(f"grade_{g}")}
        term = Term(
            row["ctcae_term"], row["meddra_code"], row["meddra_soc"], row.get("definition") or "", grades
        )
        found[term.term.lower()] = term
    return found


def lookup(name: str) -> Term | None:
    return terms().get((name or "").strip().lower())


def suggestions(name: str, n: int = 5) -> list[str]:
    """The closest CTCAE terms to a name that is not one (difflib)."""
    return closest_terms((name or "").strip(), [t.term for t in terms().values()], n=n)


def search(text: str, limit: int = 10) -> list[Term]:
    """Terms containing `text` (those starting with it first), else the closest terms."""
    text = (text or "").strip().lower()
    if not text:
        return []
    starting = [t for key, t in terms().items() if key.startswith(text)]
    containing = [t for key, t in terms().items() if text in key and not key.startswith(text)]
    found = (starting + containing)[:limit]
    if found:
        return found
    return [terms()[name.lower()] for name in suggestions(text, n=limit)]


def unknown_term_message(name: str) -> str:
    close = suggestions(name)
    hint = f" Closest terms: {', '.join(close)}." if close else ""
    return f"{name!r} is not a {VERSION} term.{hint}"
