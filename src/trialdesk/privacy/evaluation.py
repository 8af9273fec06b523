"""How well the identifier detector (core.identifiers) does on the labelled set of synthetic sentences
(privacy/tests/data/labelled_sentences.json): precision and recall, overall and per kind, counted per
identifier. A finding is right when its kind and its text are those of a labelled identifier.

`python -m trialdesk.privacy.evaluation` prints the figures published in README.md ("Data protection").
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from trialdesk.core import identifiers

LABELLED_SET = Path(__file__).parent / "tests" / "data" / "labelled_sentences.json"


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


@dataclass
class Evaluation:
    sentences: int
    overall: Tally
    by_kind: dict[str, Tally] = field(default_factory=dict)
    mistakes: list[str] = field(default_factory=list)


def evaluate(path: Path = LABELLED_SET) -> Evaluation:
    document = json.loads(path.read_text(encoding="utf-8"))
    names = document["staff_directory"]
    result = Evaluation(sentences=len(document["sentences"]), overall=Tally())
    for sentence in document["sentences"]:
        text = sentence["text"]
        expected = {(kind, value) for kind, value in sentence["identifiers"]}
        found = {(f.kind, text[f.start : f.end]) for f in identifiers.find_identifiers(text, names=names)}
        for kind, value in expected | found:
            tally = result.by_kind.setdefault(kind, Tally())
            if (kind, value) in expected and (kind, value) in found:
                tally.true_positives += 1
                result.overall.true_positives += 1
            elif (kind, value) in found:
                tally.false_positives += 1
                result.overall.false_positives += 1
                result.mistakes.append(f"false positive {kind} {value!r} in {text!r}")
            else:
                tally.false_negatives += 1
                result.overall.false_negatives += 1
                result.mistakes.append(f"missed {kind} {value!r} in {text!r}")
    return result


def report(result: Evaluation) -> str:
    lines = [
        f"{result.sentences} sentences",
        "| kind | identifiers | precision | recall |",
        "|---|---|---|---|",
    ]
    for kind, tally in sorted(result.by_kind.items()):
        labelled = tally.true_positives + tally.false_negatives
        lines.append(f"| {kind} | {labelled} | {tally.precision:.3f} | {tally.recall:.3f} |")
    overall = result.overall
    labelled = overall.true_positives + overall.false_negatives
    lines.append(f"| all | {labelled} | {overall.precision:.3f} | {overall.recall:.3f} |")
    return "\n".join([*lines, "", *result.mistakes])


if __name__ == "__main__":
    print(report(evaluate()))
