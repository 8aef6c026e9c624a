"""Line of transformation suggested for recommendations, measured on hand-labelled sentences.

Data: ``bench/data/recommendations/recommendations.csv`` (316 public recommendation sentences,
FR/EN/ES, one line each, labelled by hand; sources, licences and labelling guide in the README
beside it) and ``holdout.csv`` (84 FR/ES sentences labelled **after** the cue lexicon was
frozen, drawn among sentences that none of the keyword searches used to build the main set
would have found).

Methods, each against the same gold lines:

- **majority class** (baseline): every sentence gets the most frequent line of the training data;
- **lexicon alone**: the argmax of the cue scores (a sentence with no cue counts as wrong). The
  cues were written after reading the main set, so this figure is optimistic there; the held-out
  set is the fair check;
- **classifier, no lexicon**: :class:`LineClassifier` on words, word pairs and character n-grams
  only — what is learnt from confirmed lines alone;
- **classifier + lexicon features**: the same with the cue scores as features;
- **blend**: what the platform shows (:func:`blended_line_scores`): lexicon and classifier mixed
  with the weight ``n / (n + 100)`` of the ``n`` confirmed lines.

Classifier figures on the main set are stratified k-fold cross-validation (the training folds
play the confirmed lines; the test fold is never seen), pooled over folds and repeated over
seeds; on the held-out set the classifier is trained on the whole main set. Macro-F1 is over
the lines present in the gold of what is scored.

Run alone: ``PYTHONPATH=src python bench/bench_recommendation_lines.py [--quick]``.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold

from cityforum.analysis.transformation import (
    LINES,
    LineClassifier,
    blended_line_scores,
    lexicon_line_matrix,
)

DATA = Path(__file__).resolve().parent / "data" / "recommendations"
TARGET = 0.7
NONE = "none"
LANGUAGES = ("fr", "en", "es")
SHORT = {
    "advocacy": "adv.",
    "financing": "fin.",
    "capacity_building": "cap.",
    "implementation": "impl.",
}


def load(name: str) -> tuple[list[str], list[str], np.ndarray]:
    """Texts, languages and gold lines of one CSV of the data folder."""
    with (DATA / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return (
        [r["text"] for r in rows],
        [r["language"] for r in rows],
        np.array([r["line"] for r in rows], dtype=object),
    )


def _argmax(scores: np.ndarray) -> np.ndarray:
    """The best line per row, or :data:`NONE` where every score is 0."""
    best = np.array([LINES[i] for i in scores.argmax(axis=1)], dtype=object)
    best[scores.sum(axis=1) == 0] = NONE
    return best


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro-F1 over the lines present in ``gold`` (a NONE prediction is simply wrong)."""
    labels = [line for line in LINES if line in set(gold)]
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


Predictor = Callable[[list[int], list[int]], np.ndarray]


def cross_validated(
    texts: Sequence[str], langs: Sequence[str], gold: np.ndarray, folds: int, seeds: Sequence[int]
) -> dict[str, list[np.ndarray]]:
    """Pooled out-of-fold predictions of each method, one array per seed."""
    pairs = list(zip(texts, langs, strict=True))
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("majority", "classifier, no lexicon", "classifier + lexicon", "blend")
    }
    for seed in seeds:
        found = {k: np.empty(len(gold), dtype=object) for k in out}
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(pairs, gold):
            x_train = [pairs[i] for i in train]
            x_test = [pairs[i] for i in test]
            majority = Counter(gold[train]).most_common(1)[0][0]
            found["majority"][test] = majority
            bare = LineClassifier(lexicon=False, random_state=seed).fit(x_train, gold[train])
            found["classifier, no lexicon"][test] = bare.predict(x_test)
            full = LineClassifier(random_state=seed).fit(x_train, gold[train])
            found["classifier + lexicon"][test] = full.predict(x_test)
            blended = blended_line_scores([texts[i] for i in test], [langs[i] for i in test], full)
            found["blend"][test] = _argmax(blended)
        for k in out:
            out[k].append(found[k])
    return out


def _cell(values: Sequence[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{np.mean(values):.2f} ± {np.std(values):.2f}"


def section(quick: bool = False) -> str:
    """The "Recommendations: line of transformation" section."""
    started = time.perf_counter()
    folds, seeds = (3, (0,)) if quick else (5, (0, 1, 2))
    texts, langs, gold = load("recommendations.csv")
    lexicon_pred = _argmax(lexicon_line_matrix(texts, langs))
    cv = cross_validated(texts, langs, gold, folds, seeds)
    methods: dict[str, list[np.ndarray]] = {
        "majority class (baseline)": cv["majority"],
        "lexicon alone": [lexicon_pred],
        "classifier, no lexicon": cv["classifier, no lexicon"],
        "classifier + lexicon features": cv["classifier + lexicon"],
        "blend (what the platform shows)": cv["blend"],
    }
    lang_array = np.array(langs)
    counts = Counter(gold)

    lines = [
        "## Recommendations: line of transformation",
        "",
        f"{len(gold)} public recommendation sentences (FR {langs.count('fr')}, EN "
        f"{langs.count('en')}, ES {langs.count('es')}; advocacy {counts['advocacy']}, financing "
        f"{counts['financing']}, capacity building {counts['capacity_building']}, implementation "
        f"{counts['implementation']}), labelled by hand — sources, licences and guide in "
        "`bench/data/recommendations/README.md`. Classifier figures: stratified "
        f"{folds}-fold cross-validation, {len(seeds)} seed(s) (mean ± sd over seeds), the "
        "training folds playing the confirmed lines. Macro-F1 over the four lines; a sentence "
        f"with no cue counts as wrong for the lexicon. Target: macro-F1 ≥ {TARGET}.",
        "",
        "| method | macro-F1, all | FR | EN | ES | accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in methods.items():
        per_lang = []
        for language in LANGUAGES:
            mask = lang_array == language
            per_lang.append(_cell([macro_f1(gold[mask], run[mask]) for run in runs]))
        overall = _cell([macro_f1(gold, run) for run in runs])
        accuracy = _cell([float(np.mean(run == gold)) for run in runs])
        lines.append(f"| {name} | {overall} | {' | '.join(per_lang)} | {accuracy} |")

    best = cv["blend"][0]
    matrix = confusion_matrix(gold, best, labels=[*LINES, NONE])[: len(LINES)]
    lines += [
        "",
        f"Confusion of the blend (seed 0, rows: gold, columns: suggested; '{NONE}': no score):",
        "",
        "| gold \\ suggested | " + " | ".join(SHORT[x] for x in LINES) + f" | {NONE} |",
        "|---|" + "---|" * (len(LINES) + 1),
    ]
    for line, row in zip(LINES, matrix, strict=True):
        lines.append(f"| {SHORT[line]} | " + " | ".join(str(int(v)) for v in row) + " |")

    h_texts, h_langs, h_gold = load("holdout.csv")
    pairs = list(zip(texts, langs, strict=True))
    model = LineClassifier().fit(pairs, gold)
    bare = LineClassifier(lexicon=False).fit(pairs, gold)
    held = {
        "majority class (baseline)": np.array(
            [Counter(gold).most_common(1)[0][0]] * len(h_gold), dtype=object
        ),
        "lexicon alone": _argmax(lexicon_line_matrix(h_texts, h_langs)),
        "classifier, no lexicon": bare.predict(list(zip(h_texts, h_langs, strict=True))),
        "classifier + lexicon features": model.predict(list(zip(h_texts, h_langs, strict=True))),
        "blend (what the platform shows)": _argmax(blended_line_scores(h_texts, h_langs, model)),
    }
    h_counts = Counter(h_gold)
    h_lang = np.array(h_langs)
    lines += [
        "",
        f"**Held-out check** ({len(h_gold)} sentences, FR {h_langs.count('fr')}, ES "
        f"{h_langs.count('es')}: labelled after the cues were frozen, among sentences the "
        "keyword searches behind the main set would not have found — so without the words the "
        "cues look for first; lines as they came: advocacy "
        f"{h_counts['advocacy']}, financing {h_counts['financing']}, capacity building "
        f"{h_counts['capacity_building']}, implementation {h_counts['implementation']}; no "
        "English sentence qualified). Classifiers trained on the whole main set.",
        "",
        "| method | macro-F1 | FR | ES | accuracy |",
        "|---|---|---|---|---|",
    ]
    for name, predicted in held.items():
        fr, es = (h_lang == "fr"), (h_lang == "es")
        lines.append(
            f"| {name} | {macro_f1(h_gold, predicted):.2f} | "
            f"{macro_f1(h_gold[fr], predicted[fr]):.2f} | {macro_f1(h_gold[es], predicted[es]):.2f}"
            f" | {float(np.mean(predicted == h_gold)):.2f} |"
        )

    cv_blend = [macro_f1(gold, run) for run in cv["blend"]]
    held_blend = macro_f1(h_gold, held["blend (what the platform shows)"])
    verdict = "met" if np.mean(cv_blend) >= TARGET else "not met"
    lines += [
        "",
        f"Reading: the blend reaches macro-F1 {np.mean(cv_blend):.2f} in cross-validation on the "
        f"main set (target {TARGET} {verdict}), far above the majority-class baseline; on the "
        f"held-out sentences it reaches {held_blend:.2f}. What is learnt from the labels alone "
        "(classifier, no lexicon) is the weakest figure: 316 sentences in three languages and "
        "two registers (institutional English, citizens' French and Spanish) are few, and the "
        "cues carry most of the result. The cross-validated figure is an upper estimate (the "
        "cues were written after reading these sentences and the sentences were found by "
        "keyword); the held-out figure, on sentences chosen for lacking those keywords, a lower "
        "one (with two capacity-building sentences, its macro-F1 moves a lot with each of "
        "them). Free text lies between: the suggestion is a suggestion, confirmed by a person.",
        "",
        f"_{time.perf_counter() - started:.0f} s on a machine shared by six engineers (2 cores); "
        f"timings are indicative only._",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
