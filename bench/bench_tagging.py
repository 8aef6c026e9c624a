"""Capital tags measured on labelled real text: the lexicon alone, then lexicon + classifier.

Gold capitals come from the datasets' own labels mapped as their READMEs suggest:

- **Barcelona PAM 2016** (ca/es proposals, title + summary), by sub-theme: Transició ecològica →
  environmental; Economia plural → economic; Justícia global → social; Bon govern → human
  (local democracy and institutions), except Acció comunitària → social (the README's
  "community action → social"); Bon viure split by sub-theme: health, education, life cycles,
  personal autonomy → human; coexistence and security, housing, gender, social justice,
  migration, human rights → social; culture and sports → cultural.
- **Lille Grand Débat 2019** (fr), by theme: transition écologique → environmental; fiscalité et
  dépenses → economic; démocratie et citoyenneté, organisation de l'État → human ("autre sujet"
  and untagged contributions are left out).
- **SDG benchmark** (en, the 616 texts the experts labelled true), by goal: the primary capital
  of ``sdg_to_capital_suggestion.csv`` (no goal maps to cultural capital).

(a) **Lexicon alone**: the argmax of the lexicon scores (TF-IDF over the dataset's own texts; a
text naming no concept counts as wrong). Barcelona and Lille are also split in two halves by a
hash of the id: the lexicon was reviewed looking at the first half only, so the second half is
a fair check that the review did not fit the labels.
(b) **Lexicon + classifier**: stratified k-fold cross-validation; the training folds play the
tags people confirmed, the test fold is never seen (features, IDF of the classifier, character
n-grams and the model are fitted on the training folds only). Scores are the blend of the
lexicon and the classifier with the platform's weight ``n / (n + 100)``. The learning curve
trains on 50, 200, 1,000 and all the confirmed tags of each training fold (a stratified
sample) and always tests on the whole test fold.

Run alone: ``PYTHONPATH=src python bench/bench_tagging.py [--quick]``.
"""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cityforum.analysis._tagging import (
    CapitalClassifier,
    blend_scores,
    blend_weight,
    inverse_document_frequency,
    lexicon_scores_from_counts,
)
from cityforum.analysis.text import CAPITAL_NAMES, FeatureCounter

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "consultations"
TARGET = 0.7
NONE = "none"
CURVE = (50, 200, 1000)

BARCELONA_SUBTHEMES = {
    "Acció comunitària": "social",
    "Administració intel·ligent i inclusiva": "human",
    "Eficiència i professionalitat": "human",
    "Govern transparent i rendició de comptes": "human",
    "Participació ciutadana": "human",
    "Autonomia personal": "human",
    "Cicles de vida": "human",
    "Educació i coneixement": "human",
    "Sanitat i salut": "human",
    "Convivència i seguretat": "social",
    "Defensa i protecció dels Drets Humans": "social",
    "Equitat de gènere i diversitat sexual": "social",
    "Habitatge": "social",
    "Justícia social": "social",
    "Migració, interculturalitat i discriminació zero": "social",
    "Cultura": "cultural",
    "Esports": "cultural",
}
BARCELONA_AXES = {
    "Transició ecològica": "environmental",
    "Economia plural": "economic",
    "Justícia global": "social",
}
LILLE_THEMES = {
    "transition_ecologique": "environmental",
    "fiscalite_depenses_action_publique": "economic",
    "democratie_citoyennete": "human",
    "organisation_etat_collectivites": "human",
}


@dataclass
class Dataset:
    """Labelled texts: ``gold`` capital, ``languages``, and the review half (``review``)."""

    name: str
    texts: list[str]
    languages: list[str]
    gold: np.ndarray
    review: np.ndarray


def _rows(relative: str) -> list[dict[str, str]]:
    path = DATA / relative
    if not path.exists():
        raise SystemExit(f"shared data missing: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _review_half(key: str) -> bool:
    """The half of a dataset the lexicon review looked at (``dev:`` hash of the id, even)."""
    return int(hashlib.sha256(f"dev:{key}".encode()).hexdigest(), 16) % 2 == 0


def barcelona() -> Dataset:
    rows = _rows("decidim-barcelona-pam-2016/proposals.csv")
    gold = [
        BARCELONA_AXES.get(r["category"]) or BARCELONA_SUBTHEMES[r["subcategory"]] for r in rows
    ]
    return Dataset(
        "Barcelona PAM 2016",
        [f"{r['title']}. {r['text']}" for r in rows],
        [r["lang_guess"] if r["lang_guess"] in ("ca", "es") else "ca" for r in rows],
        np.array(gold),
        np.array([_review_half(r["proposal_id"]) for r in rows]),
    )


def lille() -> Dataset:
    rows = [
        r
        for r in _rows("grand-debat-lille-metropole-2019/contributions.csv")
        if r["theme"] in LILLE_THEMES
    ]
    return Dataset(
        "Lille Grand Débat 2019",
        [(f"{r['title']}. " if r["kind"] == "proposal" else "") + r["text"] for r in rows],
        ["fr"] * len(rows),
        np.array([LILLE_THEMES[r["theme"]] for r in rows]),
        np.array([_review_half(r["contribution_id"]) for r in rows]),
    )


def sdg() -> Dataset:
    mapping = {
        r["sdg"]: r["primary_capital"]
        for r in _rows("sdg-classification-benchmark/sdg_to_capital_suggestion.csv")
    }
    rows = [r for r in _rows("sdg-classification-benchmark/benchmark.csv") if r["label"] == "true"]
    return Dataset(
        "SDG benchmark",
        [r["text"] for r in rows],
        ["en"] * len(rows),
        np.array([mapping[r["sdg"]] for r in rows]),
        np.zeros(len(rows), dtype=bool),
    )


def predictions(scores: np.ndarray) -> np.ndarray:
    """The top capital of each row, ``none`` where every score is zero."""
    top = np.array(CAPITAL_NAMES)[scores.argmax(axis=1)]
    return np.where(scores.sum(axis=1) > 0, top, NONE)


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(gold.tolist()))
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


def per_capital_f1(gold: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    labels = [c for c in CAPITAL_NAMES if c in set(gold.tolist())]
    values = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    return dict(zip(labels, map(float, values), strict=True))


def confusion(gold: np.ndarray, predicted: np.ndarray) -> list[str]:
    from sklearn.metrics import confusion_matrix

    rows = [c for c in CAPITAL_NAMES if c in set(gold.tolist())]
    columns = list(CAPITAL_NAMES) + [NONE]
    matrix = confusion_matrix(gold, predicted, labels=columns)
    index = {c: i for i, c in enumerate(columns)}
    lines = [
        "| gold \\ predicted | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for capital in rows:
        cells = matrix[index[capital]]
        lines.append(f"| {capital} | " + " | ".join(str(int(c)) for c in cells) + " |")
    return lines


def _stratified_sample(labels: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` positions of ``labels``, each class in proportion (at least 2 of each)."""
    if size >= labels.size:
        return np.arange(labels.size)
    chosen = []
    classes, counts = np.unique(labels, return_counts=True)
    quota = np.maximum(2, np.floor(counts / counts.sum() * size)).astype(int)
    for cls, q in zip(classes, quota, strict=True):
        members = np.flatnonzero(labels == cls)
        chosen.append(rng.choice(members, size=min(q, members.size), replace=False))
    return np.sort(np.concatenate(chosen))


@dataclass
class Evaluation:
    """Out-of-fold results of one dataset."""

    lexicon: np.ndarray
    classifier: dict[int | str, np.ndarray]
    blend: dict[int | str, np.ndarray]
    seconds: float


def evaluate(data: Dataset, folds: int, sizes: tuple[int | str, ...]) -> Evaluation:
    from sklearn.model_selection import StratifiedKFold

    started = time.perf_counter()
    counter = FeatureCounter()
    counts = counter.counts(data.texts, data.languages)
    names = counter.feature_names_
    lexicon = lexicon_scores_from_counts(counts, names, inverse_document_frequency(counts))
    classifier = {s: np.full(data.gold.size, NONE, dtype=object) for s in sizes}
    blend = {s: np.full(data.gold.size, NONE, dtype=object) for s in sizes}
    rng = np.random.default_rng(0)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(data.texts, data.gold):
        for size in sizes:
            picked = train if size == "all" else train[_stratified_sample(
                data.gold[train], int(size), rng)]  # fmt: skip
            model = CapitalClassifier().fit_counts(
                counts[picked], names, [data.texts[i] for i in picked], data.gold[picked]
            )
            proba = model.predict_proba_counts(counts[test], names, [data.texts[i] for i in test])
            classifier[size][test] = predictions(proba)
            mixed = blend_scores(lexicon[test], proba, blend_weight(picked.size))
            blend[size][test] = predictions(mixed)
    return Evaluation(predictions(lexicon), classifier, blend, time.perf_counter() - started)


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def _bold_if(value: float, target: float | None) -> str:
    text = _fmt(value)
    return f"**{text}**" if target is not None and value >= target else text


def section(quick: bool = False) -> str:
    """The "Capital tags" section: macro-F1 per dataset, capital and language, confusion."""
    folds = 3 if quick else 5
    sizes: tuple[int | str, ...] = (*CURVE, "all") if not quick else (50, 200, "all")
    datasets = [barcelona(), lille(), sdg()]
    if quick:  # a stratified quarter of Barcelona keeps the quick run short
        bcn = datasets[0]
        keep = _stratified_sample(bcn.gold, 2000, np.random.default_rng(1))
        datasets[0] = Dataset(
            bcn.name + " (quick: 2,000)",
            [bcn.texts[i] for i in keep],
            [bcn.languages[i] for i in keep],
            bcn.gold[keep],
            bcn.review[keep],
        )
    results = [(d, evaluate(d, folds, sizes)) for d in datasets]

    lines = [
        "## Capital tags",
        "",
        "Gold capitals: Barcelona PAM 2016 by sub-theme, Lille Grand Débat by theme, SDG "
        "benchmark by goal, mapped as the data READMEs suggest (details in "
        "`bench/bench_tagging.py`). Macro-F1 over the capitals present in each dataset; a text "
        "with no score counts as wrong. Lexicon + classifier: stratified "
        f"{folds}-fold cross-validation, the training folds playing the confirmed tags, the "
        "test fold never seen; blend weight n / (n + 100). Target: macro-F1 ≥ "
        f"{TARGET} on Barcelona and Lille.",
        "",
        "| dataset | texts | lexicon alone | lexicon, review half | lexicon, held-out half "
        "| classifier alone | lexicon + classifier | target met | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for data, ev in results:
        target = TARGET if not data.name.startswith("SDG") else None
        halves = ["—", "—"]
        if data.review.any():
            halves = [
                _fmt(macro_f1(data.gold[m], ev.lexicon[m])) for m in (data.review, ~data.review)
            ]
        best = macro_f1(data.gold, ev.blend["all"])
        met = "—" if target is None else ("yes" if best >= target else "**no**")
        lines.append(
            f"| {data.name} | {data.gold.size:,} | "
            f"{_bold_if(macro_f1(data.gold, ev.lexicon), target)} | {halves[0]} | {halves[1]} | "
            f"{_fmt(macro_f1(data.gold, ev.classifier['all']))} | {_bold_if(best, target)} | "
            f"{met} | {ev.seconds:.0f} |"
        )

    lines += [
        "",
        "Per capital (F1), lexicon alone → lexicon + classifier (all confirmed tags):",
        "",
    ]
    lines += ["| dataset | " + " | ".join(CAPITAL_NAMES) + " |", "|---" * 6 + "|"]
    for data, ev in results:
        lex, mix = per_capital_f1(data.gold, ev.lexicon), per_capital_f1(data.gold, ev.blend["all"])
        cells = [
            f"{_fmt(lex[c])} → {_fmt(mix[c])}" if c in lex else "— (no text)" for c in CAPITAL_NAMES
        ]
        lines.append(f"| {data.name} | " + " | ".join(cells) + " |")

    bcn, bcn_ev = results[0]
    languages = np.array(bcn.languages)
    lines += [
        "",
        "Barcelona by language (macro-F1):",
        "",
        "| language | texts | lexicon alone | lexicon + classifier |",
        "|---|---|---|---|",
    ]
    for code in ("ca", "es"):
        m = languages == code
        lines.append(
            f"| {code} | {int(m.sum()):,} | {_fmt(macro_f1(bcn.gold[m], bcn_ev.lexicon[m]))} | "
            f"{_fmt(macro_f1(bcn.gold[m], bcn_ev.blend['all'][m]))} |"
        )

    lines += ["", "Learning curve: macro-F1 against the number of confirmed tags the classifier "
              "learns from (0 = lexicon alone; classifier alone / blended with the lexicon).", "",
              "| dataset | 0 | " + " | ".join(str(s) for s in sizes) + " |",
              "|---" * (len(sizes) + 2) + "|"]  # fmt: skip
    for data, ev in results:
        cells = [
            f"{_fmt(macro_f1(data.gold, ev.classifier[s]))} / "
            f"{_fmt(macro_f1(data.gold, ev.blend[s]))}"
            for s in sizes
        ]
        lines.append(
            f"| {data.name} | {_fmt(macro_f1(data.gold, ev.lexicon))} | " + " | ".join(cells) + " |"
        )

    for data, ev in results:
        lines += ["", f"Confusion, {data.name}, lexicon alone:", ""]
        lines += confusion(data.gold, ev.lexicon)
        lines += ["", f"Confusion, {data.name}, lexicon + classifier (all confirmed tags):", ""]
        lines += confusion(data.gold, ev.blend["all"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(section(quick="--quick" in sys.argv))
