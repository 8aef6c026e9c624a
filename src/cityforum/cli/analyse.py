"""``cityforum analyse``: analyses of exported files, without starting Django.

``cityforum analyse texts FILE …`` (themes, trends, specificities and capital tags of a CSV or
JSON Lines file) lives in :mod:`cityforum.cli.analyse_texts` and is registered at the end.

``cityforum analyse votes DIR --out RESULT.json`` reads a Pol.is export folder (``comments.csv``
with ``votes.csv``, or with ``participants-votes.csv`` when there is no vote log), fits
:class:`cityforum.analysis.opinion.OpinionMap` and writes its result as JSON.

Nothing here imports Django, the settings or an app, directly or not: the command must start as
fast as the interpreter and numpy allow (``tests/cli/test_analyse.py`` checks it). numpy and the
engine are imported inside the command so that ``cityforum --help`` does not pay for them.

Reading: a well-formed ``votes.csv`` (ASCII, unquoted, five fields a row) is parsed by numpy's C
reader, about ten times faster than the csv module at a million rows; anything else (quotes,
another layout, a bad value) goes to :func:`cityforum.analysis.polis_export.read_polis_export`,
which gives the same arrays or an error naming the file and the line.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from cityforum.analysis.polis_export import PolisExport

COMMENTS = "comments.csv"
VOTES = "votes.csv"
WIDE = "participants-votes.csv"
VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
# Progress lines go to stderr when it is a terminal, or when the input is at least this large.
LARGE_INPUT_BYTES = 16_000_000


@click.group()
def analyse() -> None:
    """Analyse exported files (no database, no Django)."""


@analyse.command("votes")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the result (JSON); replaced only once the analysis succeeded.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--groups",
    type=click.IntRange(min=2),
    default=None,
    help="Force this number of opinion groups (default: chosen by silhouette).",
)
@click.option(
    "--min-votes",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="A participant is grouped from this many votes on (or all statements, if fewer).",
)
@click.option(
    "--max-groups",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Largest number of groups considered.",
)
@click.option(
    "--missing-votes",
    type=click.Choice(["mean", "pass"]),
    default="mean",
    show_default=True,
    help=(
        "A statement someone did not vote on: 'mean' carries no opinion (Polis' method); "
        "'pass' counts it as a pass, as Polis did in 2017 (to reproduce exports made then)."
    ),
)
@click.option(
    "--replay-every",
    "replay_every",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help=(
        "Replay votes.csv as Polis' live math did: an update every SECONDS of votes (Polis "
        "polls every 1), each warm-started from the last. Slow on large logs."
    ),
)
def votes(
    folder: Path,
    out: Path,
    seed: int,
    groups: int | None,
    min_votes: int,
    max_groups: int,
    missing_votes: str,
    replay_every: float | None,
) -> None:
    """Opinion groups of a Pol.is export folder DIR (the Pol.is method), written as JSON.

    DIR holds comments.csv and votes.csv, or participants-votes.csv when there is no
    votes.csv. Statements with moderated = -1 are moderated out.
    """
    started = time.perf_counter()
    sources = _sources(folder)
    if not out.parent.is_dir():
        raise click.ClickException(f"{out.parent}: no such folder for the output file")
    size = sum(path.stat().st_size for path in sources)
    progress = _Progress(sys.stderr.isatty() or size >= LARGE_INPUT_BYTES)

    progress.step(f"Reading {folder} ({size / 1e6:.1f} MB)…")
    from cityforum.analysis.opinion import OpinionMap, OpinionMapError
    from cityforum.analysis.opinion_document import result_document

    try:
        contents = [path.read_bytes() for path in sources]
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: cannot be read ({exc.strerror})") from None
    digest = hashlib.sha256()
    for path, data in zip(sources, contents, strict=True):
        digest.update(f"{path.name}\n{len(data)}\n".encode())
        digest.update(data)
    try:
        export = _read_export(folder, sources, contents)
    except OpinionMapError as exc:
        raise click.ClickException(str(exc)) from None
    del contents
    if replay_every is not None and export.timestamps is None:
        raise click.ClickException(
            f"{folder}: --replay-every needs votes.csv (the vote log with its timestamps); "
            "this export has only participants-votes.csv"
        )
    read_s = time.perf_counter() - started

    progress.step(f"Fitting the opinion map ({export.values.size:,} votes)…")
    model = OpinionMap(
        random_state=seed,
        min_votes=min_votes,
        max_groups=max_groups,
        n_groups=groups,
        missing_votes=missing_votes,  # type: ignore[arg-type]  # click checked the choice
    )
    try:
        if replay_every is None:
            model.fit(export.participants, export.statements, export.values, export.moderated_out)
        else:
            from cityforum.analysis.opinion_replay import replay_export

            model = replay_export(export, model, interval=replay_every)
    except OpinionMapError as exc:
        raise click.ClickException(f"cannot map this conversation: {exc}") from None
    fit_s = time.perf_counter() - started - read_s

    progress.step(f"Writing {out}…")
    parameters = {
        **model.get_params(),
        "replay_every": replay_every,
        "source": [path.name for path in sources],
    }
    result = result_document(model, parameters, digest.hexdigest())
    result["timings"] = {
        "read": round(read_s, 4),
        "fit": round(fit_s, 4),
        "serialise": round(time.perf_counter() - started - read_s - fit_s, 4),
    }
    _write_atomically(out, json.dumps(result, ensure_ascii=False, allow_nan=False) + "\n")
    progress.step("Done")
    click.echo(
        f"{out}: {model.participants_.size:,} participants, {model.n_groups_} groups "
        f"({int((model.groups_ >= 0).sum()):,} participants grouped)."
    )


def _sources(folder: Path) -> list[Path]:
    """The files the result depends on, in the fixed order they are hashed: comments, votes."""
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        raise click.ClickException(f"{folder}: {what}")
    comments = folder / COMMENTS
    if not comments.is_file():
        raise click.ClickException(
            f"{folder}: {COMMENTS} not found (a Pol.is export folder holds {COMMENTS} and "
            f"{VOTES}, or {WIDE})"
        )
    for name in (VOTES, WIDE):
        if (folder / name).is_file():
            return [comments, folder / name]
    raise click.ClickException(f"{folder}: neither {VOTES} nor {WIDE} found")


def _read_export(folder: Path, sources: list[Path], contents: list[bytes]) -> PolisExport:
    """The export's arrays: numpy's fast path for a plain ``votes.csv``, else the csv reader."""
    from cityforum.analysis.polis_export import read_polis_export

    if sources[1].name == VOTES:
        fast = fast_votes_export(contents[0], contents[1])
        if fast is not None:
            return fast
    return read_polis_export(folder)


def fast_votes_export(comments: bytes, votes_csv: bytes) -> PolisExport | None:
    """Parse a plain Pol.is ``votes.csv`` with numpy, or ``None`` when it is not plain.

    Plain: ASCII, no quotes or carriage returns, the expected header, exactly as many fields on
    every row as in the header, integers where integers go, votes in -1/0/1, every comment-id in
    ``comments.csv``. Anything else returns ``None`` and the csv reader takes over (it names the
    file and line of a real error). The result equals ``read_polis_export``'s, less
    ``polis_groups``, which the analysis does not use.
    """
    import csv
    import io
    import warnings

    import numpy as np

    from cityforum.analysis.polis_export import PolisExport

    if not votes_csv.isascii() or b'"' in votes_csv or b"\r" in votes_csv:
        return None
    header_end = votes_csv.find(b"\n")
    if header_end < 0:
        return None
    header = votes_csv[:header_end].decode("ascii").split(",")
    if any(name not in header for name in VOTE_COLUMNS) or len(set(header)) != len(header):
        return None
    body = votes_csv[header_end + 1 :]
    rows = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    if rows == 0 or b"\n\n" in body or body.count(b",") != rows * (len(header) - 1):
        return None
    columns = [header.index(name) for name in VOTE_COLUMNS]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            table = np.loadtxt(
                io.BytesIO(body),
                delimiter=",",
                usecols=columns,
                dtype=np.int64,
                comments=None,
                ndmin=2,
            )
    except (ValueError, OverflowError, Warning):
        return None
    if table.shape[0] != rows:
        return None
    stamps, sids, pids, vals = table.T

    ids: list[int] = []
    moderated: list[int] = []
    try:
        reader = csv.DictReader(io.StringIO(comments.decode("utf-8"), newline=""), strict=True)
        if reader.fieldnames is None or not {"comment-id", "moderated"} <= set(reader.fieldnames):
            return None
        for row in reader:
            if None in row or None in row.values():  # too many or too few fields
                return None
            sid = int(row["comment-id"])
            ids.append(sid)
            if int(row["moderated"]) == -1:
                moderated.append(sid)
    except (ValueError, csv.Error):  # UnicodeDecodeError is a ValueError
        return None
    statement_ids = np.asarray(ids, dtype=np.int64)
    if np.any((vals < -1) | (vals > 1)) or not np.all(np.isin(sids, statement_ids)):
        return None
    order = np.argsort(stamps, kind="stable")
    return PolisExport(
        pids[order],
        sids[order],
        vals[order].astype(np.int8),
        np.asarray(moderated, dtype=np.int64),
        statement_ids,
        timestamps=stamps[order],
    )


def _write_atomically(out: Path, text: str) -> None:
    """Write ``text`` beside ``out`` under a temporary name, then rename it into place."""
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise click.ClickException(f"{out}: cannot be written ({exc.strerror})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class _Progress:
    """Phase lines on stderr (never stdout), with the time since the command started."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def step(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.started
            click.echo(f"[{elapsed:5.1f} s] {message}", err=True)


from cityforum.cli.analyse_texts import texts  # noqa: E402  (registered under ``analyse``)

analyse.add_command(texts)
