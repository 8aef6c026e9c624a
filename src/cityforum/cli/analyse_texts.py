"""``cityforum analyse texts``: themes, trends, specificities and capital tags of a file of texts.

``cityforum analyse texts FILE --text-column C --id-column I [--region-column R]
[--language-column L] [--capital-column K] --out RESULT.json`` reads a CSV or JSON Lines file,
streams it through the pure synthesis engine (:mod:`cityforum.analysis.text`, ``themes``,
``trends``, ``_tagging``) and writes one JSON document (synthesis.md; the shape is in
``docs/methods/synthesis.md``).

Nothing here imports Django (``tests/cli/test_analyse_texts.py`` checks it in a fresh process).
Memory stays bounded for a million texts: the file is read in chunks, each chunk becomes sparse
feature counts (texts are not kept), the NMF is fitted on a sample and every text is projected
in chunks, and the result is written item by item. Bad input stops the command with exit
status 2 and one line naming the file (and the line): nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import os
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

#: Rows analysed at once (bounds the memory of one chunk's texts).
CHUNK = 5_000
#: Progress lines are shown when stderr is a terminal or the file is at least this large.
LARGE_INPUT_BYTES = 1_000_000
#: Region of every text when no region column is given, or when its cell is empty.
ALL_REGIONS = "all"
UNSPECIFIED_REGION = "unspecified"
#: The largest field the CSV reader accepts (a very long text is read, then truncated).
FIELD_LIMIT = 256 * 1024 * 1024


class InputError(click.ClickException):
    """Bad input: one readable line on stderr, exit status 2, nothing written."""

    exit_code = 2


@dataclass
class Columns:
    """The column names given on the command line."""

    text: str
    id: str
    region: str | None
    language: str | None
    capital: str | None

    def required(self) -> list[str]:
        return [c for c in (self.id, self.text, self.region, self.language, self.capital) if c]


@dataclass
class Row:
    """One contribution as read (``line``: where it starts in the file, for messages)."""

    line: int
    id: str
    text: str
    region: str
    language: str | None
    capital: str | None


def _format(path: Path, given: str) -> str:
    if given != "auto":
        return given
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
    return "jsonl" if start.startswith(b"{") else "csv"


def _check_binary(path: Path) -> None:
    """Refuse a file that is not text: a NUL byte, or invalid UTF-8 in its first megabyte."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    where = head.find(b"\x00")
    if where >= 0:
        raise InputError(
            f"{path}: binary data (a NUL byte at offset {where:,}), not a CSV or JSON Lines file"
        )
    if _invalid_head(head):
        raise _not_utf8(path)


def _invalid_head(head: bytes) -> bool:
    """Whether ``head`` has invalid UTF-8 (a character cut at its end does not count)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 4
    return False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    raise ValueError(f"a {type(value).__name__} where a text or a number was expected")


def read_rows(path: Path, fmt: str, columns: Columns) -> Iterator[Row]:
    """The rows of ``path`` with the given columns; :class:`InputError` on the first bad one."""
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    try:
        if fmt == "csv":
            yield from _csv_rows(path, text, columns)
        else:
            yield from _jsonl_rows(path, text, columns)
    finally:
        text.close()


def _row(path: Path, line: int, values: dict[str, str], columns: Columns) -> Row:
    get = values.__getitem__
    ident = get(columns.id).strip()
    if not ident:
        raise InputError(f"{path}, line {line}: the id ({columns.id}) is empty")
    region = ALL_REGIONS
    if columns.region:
        region = get(columns.region).strip() or UNSPECIFIED_REGION
    language = (get(columns.language).strip().lower() or None) if columns.language else None
    if language is not None:  # "fr-FR", "pt_BR" → "fr", "pt"
        language = language.replace("_", "-").split("-", 1)[0] or None
    capital = (get(columns.capital).strip().lower() or None) if columns.capital else None
    return Row(line, ident, get(columns.text), region, language, capital)


def _csv_rows(path: Path, handle: IO[str], columns: Columns) -> Iterator[Row]:
    csv.field_size_limit(FIELD_LIMIT)
    sample = handle.read(64 * 1024)
    dialect: Any = csv.excel
    if sample.split("\n", 1)[0].count("\t") > sample.split("\n", 1)[0].count(","):
        dialect = csv.excel_tab
    reader = csv.reader(_chain(sample, handle), dialect, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: empty file (no header, no contributions)") from None
    except csv.Error as exc:
        raise InputError(f"{path}, line 1: {exc}") from None
    header = [h.strip() for h in header]
    missing = [c for c in columns.required() if c not in header]
    if missing:
        names = ", ".join(repr(m) for m in missing)
        raise InputError(
            f"{path}: no column {names} (the header has: {', '.join(header) or 'nothing'})"
        )
    index = {c: header.index(c) for c in columns.required()}
    line = reader.line_num + 1
    try:
        for record in reader:
            if not record or record == [""]:
                line = reader.line_num + 1
                continue
            if len(record) != len(header):
                raise InputError(
                    f"{path}, line {line}: {len(record)} fields where the header has {len(header)}"
                )
            yield _row(path, line, {c: record[i] for c, i in index.items()}, columns)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{path}, line {line}: {exc}") from None
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _not_utf8(path: Path) -> InputError:
    """The error for a file that is not valid UTF-8, naming the line of the first bad byte
    (searched again in the bytes: the text decoder reads ahead, its position is not the line)."""
    found = _first_invalid_utf8(path)
    if found is None:  # the decoder failed, so this cannot happen
        return InputError(f"{path}: not valid UTF-8; save the file as UTF-8")
    line, byte, offset = found
    return InputError(
        f"{path}: line {line:,} is not valid UTF-8 (byte 0x{byte:02x} at offset {offset:,}); "
        "save the file as UTF-8"
    )


def _first_invalid_utf8(path: Path) -> tuple[int, int, int] | None:
    """``(line, byte, offset)`` of the first byte of ``path`` that is not valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                # the decoder may hold up to 3 bytes of the previous block: exc.start counts
                # from them, so look for the bad byte in the block itself
                pending = len(exc.object) - len(block)
                at = max(0, exc.start - pending)
                return lines + block.count(b"\n", 0, at), block[at], offset + at
            lines += block.count(b"\n")
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines, 0, offset
    return None


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    """Lines of ``first`` followed by the rest of ``rest`` (after a sniffing read)."""
    buffer = io.StringIO(first + rest.readline())
    yield from buffer
    yield from rest


def _jsonl_rows(path: Path, handle: IO[str], columns: Columns) -> Iterator[Row]:
    try:
        for number, line in enumerate(handle, start=1):
            yield from _jsonl_row(path, number, line, columns)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None


def _jsonl_row(path: Path, number: int, line: str, columns: Columns) -> Iterator[Row]:
    """The row of one JSON line (none for a blank line)."""
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}, line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise InputError(f"{path}, line {number}: a JSON object was expected")
    missing = [c for c in columns.required() if c not in record]
    if missing:
        raise InputError(f"{path}, line {number}: no field {', '.join(repr(m) for m in missing)}")
    try:
        values = {c: _cell(record[c]) for c in columns.required()}
    except ValueError as exc:
        raise InputError(f"{path}, line {number}: {exc}") from None
    yield _row(path, number, values, columns)


class Progress:
    """Phase lines on stderr with the time since the start; a live count while analysing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.live = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.marks: dict[str, float] = {}
        self._last = self.started

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def step(self, message: str) -> None:
        if self.enabled:
            click.echo(f"[{self.elapsed():6.1f} s] {message}", err=True)

    def count(self, done: int) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self._last < (0.5 if self.live else 10.0):
            return
        self._last = now
        rate = done / max(now - self.started, 1e-9)
        line = f"[{self.elapsed():6.1f} s]   {done:,} texts analysed, {rate:,.0f} a second"
        if self.live:
            click.echo("\r" + line, err=True, nl=False)
        else:
            click.echo(line, err=True)

    def end_count(self) -> None:
        if self.live:
            click.echo("", err=True)


@dataclass
class Corpus:
    """What the first pass keeps: ids, codes and sparse counts — never the texts."""

    ids: list[str] = field(default_factory=list)
    regions: array[int] = field(default_factory=lambda: array("i"))
    languages: list[str] = field(default_factory=list)
    chunks: list[Any] = field(default_factory=list)
    confirmed: list[tuple[int, str, str]] = field(default_factory=list)
    region_names: dict[str, int] = field(default_factory=dict)
    detected: int = 0
    unsupported: int = 0
    empty: int = 0


def _analyse_chunk(rows: list[Row], corpus: Corpus, counter: Any) -> None:
    from cityforum.analysis.text import SUPPORTED_LANGUAGES, UNDETERMINED, detect_languages

    languages: list[str] = []
    to_detect = [i for i, row in enumerate(rows) if row.language is None]
    detected = detect_languages([rows[i].text for i in to_detect]) if to_detect else []
    found = dict(zip(to_detect, detected, strict=True))
    for i, row in enumerate(rows):
        code = row.language if row.language is not None else found[i]
        if row.language is None:
            corpus.detected += 1
        if code not in SUPPORTED_LANGUAGES:
            if row.language is not None or row.text.strip():
                corpus.unsupported += 1
            code = UNDETERMINED
        if not row.text.strip():
            corpus.empty += 1
        languages.append(code)
    base = len(corpus.ids)
    for i, row in enumerate(rows):
        corpus.ids.append(row.id)
        corpus.regions.append(corpus.region_names.setdefault(row.region, len(corpus.region_names)))
        if row.capital is not None:
            corpus.confirmed.append((base + i, row.capital, row.text))
    corpus.languages.extend(languages)
    corpus.chunks.append(counter.counts([row.text for row in rows], languages))


def first_pass(path: Path, fmt: str, columns: Columns, progress: Progress) -> tuple[Corpus, Any]:
    """Read and analyse the file in chunks; check ids are unique and capitals valid."""
    from cityforum.analysis.text import CAPITAL_NAMES, FeatureCounter

    counter = FeatureCounter()
    corpus = Corpus()
    seen: set[str] = set()
    chunk: list[Row] = []
    for row in read_rows(path, fmt, columns):
        if row.id in seen:
            raise InputError(f"{path}, line {row.line}: the id {row.id!r} is repeated")
        seen.add(row.id)
        if row.capital is not None and row.capital not in CAPITAL_NAMES:
            raise InputError(
                f"{path}, line {row.line}: capital {row.capital!r} is not one of "
                f"{', '.join(CAPITAL_NAMES)}"
            )
        chunk.append(row)
        if len(chunk) >= CHUNK:
            _analyse_chunk(chunk, corpus, counter)
            chunk = []
            progress.count(len(corpus.ids))
    if chunk:
        _analyse_chunk(chunk, corpus, counter)
    progress.end_count()
    return corpus, counter


def _stack(chunks: list[Any], width: int) -> Any:
    from scipy.sparse import csr_matrix, vstack

    for chunk in chunks:
        chunk.resize((chunk.shape[0], width))
    if not chunks:
        return csr_matrix((0, width))
    out = vstack(chunks, format="csr")
    chunks.clear()
    return out


def _auto_themes(n: int) -> int:
    """Default number of themes: √n / 2, between 2 and 30 (readable, and enough for 100k)."""
    return int(min(30, max(2, round(math.sqrt(n) / 2))))


def _round(value: float, digits: int = 4) -> float | None:
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


@click.command("texts")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--text-column", required=True, help="Column (or JSON field) holding the text.")
@click.option("--id-column", required=True, help="Column holding each contribution's unique id.")
@click.option("--region-column", default=None, help="Column holding the region (optional).")
@click.option(
    "--language-column",
    default=None,
    help="Column holding the language code (optional: detected where missing or empty).",
)
@click.option(
    "--capital-column",
    default=None,
    help="Column holding tags people confirmed (human, social, economic, cultural, "
    "environmental; empty when not confirmed): the classifier learns from them.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the result (JSON); replaced only once the analysis succeeded.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "csv", "jsonl"]),
    default="auto",
    show_default=True,
    help="Input format (auto: from the file name, else the first character).",
)
@click.option(
    "--themes",
    "n_themes",
    type=click.IntRange(min=2, max=100),
    default=None,
    help="Number of themes (default: √n / 2, between 2 and 30).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--max-specificities",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Most specificities reported per region and kind (the strongest first).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress on stderr (default: when stderr is a terminal or the file is over 1 MB).",
)
def texts(
    file: Path,
    text_column: str,
    id_column: str,
    region_column: str | None,
    language_column: str | None,
    capital_column: str | None,
    out: Path,
    fmt: str,
    n_themes: int | None,
    seed: int,
    max_specificities: int,
    progress: bool | None,
) -> None:
    """Themes, global trends, regional specificities and capital scores of the texts in FILE.

    FILE is CSV (with a header) or JSON Lines (one object a line), UTF-8. Texts in a language
    other than fr, en, es, ca or pt are kept, marked "und" and not stemmed.
    """
    if not file.is_file():
        what = "is a folder" if file.is_dir() else "no such file"
        raise InputError(f"{file}: {what}")
    if not out.parent.is_dir():
        raise InputError(f"{out.parent}: no such folder for the output file")
    columns = Columns(text_column, id_column, region_column, language_column, capital_column)
    size = file.stat().st_size
    if progress is None:
        progress = size >= LARGE_INPUT_BYTES or sys.stderr.isatty()
    show = Progress(progress)
    fmt = _format(file, fmt)
    _check_binary(file)
    timings: dict[str, float] = {}
    mark = time.perf_counter()

    show.step(f"Reading and analysing {file} ({size / 1e6:.1f} MB, {fmt})…")
    corpus, counter = first_pass(file, fmt, columns, show)
    n = len(corpus.ids)
    if n == 0:
        raise InputError(f"{file}: no contributions (an empty corpus has nothing to analyse)")
    counts = _stack(corpus.chunks, len(counter.feature_names_))
    timings["read_and_analyse"] = time.perf_counter() - mark

    result = synthesise(
        corpus, counter, counts, columns, n_themes, seed, max_specificities, file, fmt, show
    )
    timings.update(result.pop("_timings"))
    show.step(f"Writing {out}…")
    result["parameters"]["input_sha256"] = _sha256(file)
    result["parameters"]["timings"] = {k: round(v, 3) for k, v in timings.items()}
    write_result(out, result, corpus)
    show.step("Done")
    notes = result["parameters"]["notes"]
    click.echo(
        f"{out}: {n:,} texts, {len(result['themes'])} themes, {len(result['trends'])} global "
        f"trends, {len(result['specificities'])} specificities."
        + (f" {' '.join(notes)}" if notes else "")
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def synthesise(
    corpus: Corpus,
    counter: Any,
    counts: Any,
    columns: Columns,
    n_themes: int | None,
    seed: int,
    max_specificities: int,
    file: Path,
    fmt: str,
    show: Progress,
) -> dict[str, Any]:
    """Themes, trends, specificities and capital scores from the first pass's counts."""
    import numpy as np

    from cityforum.analysis.themes import Themes

    timings: dict[str, float] = {}
    notes: list[str] = []
    n = len(corpus.ids)
    names = counter.feature_names_
    region_names = sorted(corpus.region_names, key=corpus.region_names.__getitem__)
    codes = np.asarray(corpus.regions, dtype=np.int64)
    k = n_themes if n_themes is not None else _auto_themes(n)
    surfaces = counter.surfaces()

    mark = time.perf_counter()
    show.step(f"Finding {k} themes in {n:,} texts ({counts.shape[1]:,} features)…")
    model = Themes(n_themes=k, random_state=seed)
    try:
        model.fit_counts(counts, names, corpus.languages, None, surfaces)
        fitted = True
    except ValueError:
        fitted = False
        notes.append(
            "No themes: the texts share too few words (a theme word must appear in at least "
            f"{min(model.min_df, max(1, n // 10))} texts and in at most half of them)."
        )
    timings["themes"] = time.perf_counter() - mark
    if fitted and model.sampled_ < n:
        notes.append(f"Themes fitted on a sample of {model.sampled_:,} texts, then every text "
                     "projected on them.")  # fmt: skip

    mark = time.perf_counter()
    show.step("Prevalence, global trends and regional specificities…")
    themes_doc, trends_doc, memberships = _themes_and_trends(model, fitted, codes, region_names)
    specific = _specificities(
        counts, names, surfaces, memberships, codes, region_names, max_specificities
    )
    if len(region_names) < 2:
        what = "no region column" if not columns.region else f"only the region {region_names[0]!r}"
        notes.append(f"One region only ({what}): no regional specificity can be computed.")
    timings["trends_and_specificities"] = time.perf_counter() - mark

    mark = time.perf_counter()
    show.step("Capital scores…")
    capitals, classifier = _capital_scores(corpus, counter, counts, file, fmt, columns, show)
    timings["capitals"] = time.perf_counter() - mark

    if corpus.unsupported:
        notes.append(f"{corpus.unsupported:,} texts in an unsupported or unknown language: kept, "
                     "marked \"und\", not stemmed.")  # fmt: skip
    if counter.truncated_:
        notes.append(f"{counter.truncated_:,} texts longer than {counter.max_chars:,} characters: "
                     "only their beginning was analysed.")  # fmt: skip
    if corpus.empty:
        notes.append(f"{corpus.empty:,} empty texts: kept, with no theme and no capital.")
    parameters = {
        "file": file.name,
        "format": fmt,
        "columns": {
            "text": columns.text,
            "id": columns.id,
            "region": columns.region,
            "language": columns.language,
            "capital": columns.capital,
        },
        "texts": n,
        "languages": dict(sorted(Counter(corpus.languages).items())),
        "languages_detected": corpus.detected,
        "regions": {name: int(c) for name, c in zip(region_names, np.bincount(codes), strict=True)},
        "n_themes": k,
        "seed": seed,
        "min_df": model.min_df,
        "max_df": model.max_df,
        "tau": model.tau,
        "sample_size": model.sample_size,
        "sampled": getattr(model, "sampled_", 0),
        "converged": getattr(model, "converged_", None),
        "presence": "a >= 3 texts and p >= P/2; global when present in >= 2/3 of the regions "
        "and P >= 1/(2K)",
        "specificity": "weighted log-odds, informative Dirichlet prior (Monroe et al. 2008), "
        "z > 1.96 and Benjamini-Hochberg q = 0.05",
        "max_specificities": max_specificities,
        "capitals": classifier,
        "notes": notes,
    }
    return {
        "_capitals": capitals,
        "_memberships": memberships,
        "themes": themes_doc,
        "trends": trends_doc,
        "specificities": specific,
        "parameters": parameters,
        "_timings": timings,
    }


def _themes_and_trends(
    model: Any, fitted: bool, codes: Any, region_names: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    import numpy as np

    from cityforum.analysis.trends import prevalence_counts, trends_from_counts

    n = codes.size
    if not fitted:
        return [], [], np.zeros((n, 0), dtype=bool)
    memberships = model.memberships_
    a, totals = prevalence_counts(memberships, codes, len(region_names))
    themes_doc = []
    for summary in model.summary():
        j = summary["id"]
        themes_doc.append(
            {
                "id": j,
                "labels": summary["labels"],
                "terms": summary["terms"],
                "size": summary["size"],
                "quotes": summary["quotes"],  # indices for now, ids when written
                "prevalence": {
                    r: _round(a[i, j] / totals[i]) if totals[i] else 0.0
                    for i, r in enumerate(region_names)
                },
            }
        )
    trends_doc = [
        {
            "theme": int(t.key),
            "regions_present": list(t.regions_present),
            "regions_total": t.regions_total,
            "evenness": _round(t.evenness),
            "absent_in": list(t.regions_absent),
        }
        for t in trends_from_counts(a, totals, region_names, list(range(len(themes_doc))))
        if t.is_global
    ]
    return themes_doc, trends_doc, memberships


def _specificities(
    counts: Any,
    names: list[str],
    surfaces: dict[str, str],
    memberships: Any,
    codes: Any,
    region_names: list[str],
    limit: int,
) -> list[dict[str, Any]]:
    """Concept, term and theme specificities of each region, the strongest ``limit`` per kind."""
    import numpy as np
    from scipy.sparse import csr_matrix

    from cityforum.analysis.text import CONCEPT_PREFIX
    from cityforum.analysis.trends import specificities_from_counts

    if len(region_names) < 2:
        return []
    n = codes.size
    group = csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, len(region_names)))
    by_region = np.asarray((group.T @ counts).todense())
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    concept_cols = [j for j, f in enumerate(names) if f.startswith(CONCEPT_PREFIX)]
    term_cols = [j for j, f in enumerate(names) if not f.startswith(CONCEPT_PREFIX) and df[j] >= 5]
    concept_keys = [names[j][len(CONCEPT_PREFIX) :] for j in concept_cols]
    kinds: list[tuple[str, Any, list[str]]] = [
        ("concept", by_region[:, concept_cols], concept_keys),
        (
            "term",
            by_region[:, term_cols],
            [f"{names[j].split(':', 1)[0]}:{surfaces.get(names[j], names[j].split(':', 1)[1])}"
             for j in term_cols],
        ),
        (
            "theme",
            np.asarray((group.T @ csr_matrix(memberships.astype(np.float64))).todense()),
            [str(j) for j in range(memberships.shape[1])],
        ),
    ]  # fmt: skip
    out = []
    for kind, matrix, keys in kinds:
        if matrix.shape[1] == 0:
            continue
        found = specificities_from_counts(matrix, keys, region_names, kind)
        per: Counter[str] = Counter()
        for s in found:  # sorted by region, then strongest first
            per[s.region] += 1
            if per[s.region] <= limit:
                out.append(
                    {
                        "region": s.region,
                        "kind": kind,
                        "key": s.key,
                        "z": _round(s.z, 3),
                        "count": s.count,
                    }
                )
    order = {"concept": 0, "term": 1, "theme": 2}
    return sorted(out, key=lambda s: (s["region"], order[s["kind"]], -s["z"]))


def _capital_scores(
    corpus: Corpus, counter: Any, counts: Any, file: Path, fmt: str, columns: Columns,
    show: Progress,
) -> tuple[Any, dict[str, Any]]:  # fmt: skip
    """Lexicon scores (TF-IDF over the corpus), blended with a classifier trained on the
    confirmed tags when there are enough of them (a second pass reads the texts again)."""
    import numpy as np

    from cityforum.analysis._tagging import (
        BLEND_HALF,
        MIN_CONFIRMED,
        SECONDARY_WEIGHT,
        CapitalClassifier,
        blend_scores,
        blend_weight,
        inverse_document_frequency,
        lexicon_scores_from_counts,
    )

    names = counter.feature_names_
    lex = lexicon_scores_from_counts(counts, names, inverse_document_frequency(counts))
    info: dict[str, Any] = {
        "lexicon": f"TF-IDF of the concepts, second capital x{SECONDARY_WEIGHT}",
        "confirmed": len(corpus.confirmed),
        "classifier_weight": 0.0,
    }
    tags = {capital for _, capital, _ in corpus.confirmed}
    if len(corpus.confirmed) < MIN_CONFIRMED or len(tags) < 2:
        if corpus.confirmed:
            info["classifier"] = (
                f"not trained: {len(corpus.confirmed)} confirmed tags on {len(tags)} capital(s) "
                f"(at least {MIN_CONFIRMED} on two capitals are needed)"
            )
        return lex, info
    rows = np.array([i for i, _, _ in corpus.confirmed])
    model = CapitalClassifier().fit_counts(
        counts[rows],
        names,
        [t for _, _, t in corpus.confirmed],
        [c for _, c, _ in corpus.confirmed],
    )
    show.step(f"Classifier trained on {len(rows):,} confirmed tags; scoring every text…")
    proba = np.zeros_like(lex)
    start = 0
    batch: list[str] = []
    for row in read_rows(file, fmt, columns):
        batch.append(row.text)
        if len(batch) >= CHUNK:
            end = start + len(batch)
            proba[start:end] = model.predict_proba_counts(counts[start:end], names, batch)
            start, batch = end, []
    if batch:
        proba[start:] = model.predict_proba_counts(counts[start:], names, batch)
    weight = blend_weight(len(rows))
    info.update(
        {
            "classifier": "logistic regression (concepts, stems, character n-grams, lexicon)",
            "classifier_weight": round(weight, 4),
            "blend": f"weight n / (n + {BLEND_HALF}) for n confirmed tags",
        }
    )
    return blend_scores(lex, proba, weight), info


def write_result(out: Path, result: dict[str, Any], corpus: Corpus) -> None:
    """Write the JSON document item by item beside ``out``, then rename it into place."""
    from cityforum.analysis.text import CAPITAL_NAMES

    capitals = result.pop("_capitals")
    memberships = result.pop("_memberships")
    ids = corpus.ids
    for theme in result["themes"]:
        theme["quotes"] = [ids[i] for i in theme["quotes"]]
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    dump = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    try:
        with temporary.open("x", encoding="utf-8") as handle:
            handle.write('{"items": {')
            for i, ident in enumerate(ids):
                item = {
                    "language": corpus.languages[i],
                    "capitals": {
                        c: round(float(v), 4)
                        for c, v in zip(CAPITAL_NAMES, capitals[i].tolist(), strict=True)
                    },
                    "themes": memberships[i].nonzero()[0].tolist(),
                }
                handle.write(("" if i == 0 else ", ") + dump(ident) + ": " + dump(item))
            handle.write("}")
            for key in ("themes", "trends", "specificities", "parameters"):
                handle.write(f', "{key}": ' + dump(result[key]))
            handle.write("}\n")
        os.replace(temporary, out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise click.ClickException(f"{out}: cannot be written ({exc.strerror})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
