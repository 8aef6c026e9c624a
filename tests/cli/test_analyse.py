"""``cityforum analyse votes``: a Pol.is export folder in, the opinion map as JSON out.

Run on real conversations from the shared data (CC BY 4.0, see README.md), in process with
click's runner and as a separate process, where Django must never be imported.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from cityforum.analysis.opinion import OpinionMap
from cityforum.analysis.opinion_replay import replay_export
from cityforum.analysis.polis_export import read_polis_export
from cityforum.cli import analyse as analyse_module
from cityforum.cli.main import cli

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis"
VTAIWAN = DATA / "vtaiwan.uberx"  # votes.csv + comments.csv
BOWLING_GREEN = DATA / "american-assembly.bowling-green"  # participants-votes.csv only
LONDON = DATA / "london.youth.policing"  # the smallest: 26 participants
TOP_KEYS = [
    "participants",
    "groups",
    "consensus",
    "group_informed_consensus",
    "divisive",
    "parameters",
    "input_sha256",
    "timings",
]


def _need(folder: Path) -> Path:
    if not folder.is_dir():
        pytest.fail(f"public data not found at {folder}: the tests read ../shared/data")
    return folder


def _run(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, ["analyse", "votes", *map(str, args)])


def _without_timings(text: str) -> str:
    """The output up to its last key, ``timings`` (the only part that may change)."""
    head, sep, _ = text.rpartition('"timings"')
    assert sep, "no timings in the output"
    return head


@pytest.fixture(scope="module")
def vtaiwan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("vtaiwan") / "result.json"
    result = _run(_need(VTAIWAN), "--out", out)
    assert result.exit_code == 0, result.output
    return out, json.loads(out.read_text(encoding="utf-8"))


def test_writes_the_documented_json(vtaiwan: tuple[Path, dict[str, Any]]) -> None:
    _, doc = vtaiwan
    assert list(doc) == TOP_KEYS
    assert len(doc["participants"]) == 1921
    for key, entry in doc["participants"].items():
        assert key.isdigit()
        assert set(entry) == {"group", "x", "y"}
        assert entry["group"] is None or isinstance(entry["group"], int)
        assert isinstance(entry["x"], float) and isinstance(entry["y"], float)
    assert [g["id"] for g in doc["groups"]] == list(range(len(doc["groups"])))
    assert len(doc["groups"]) >= 2
    sizes = [g["size"] for g in doc["groups"]]
    assert sizes == sorted(sizes, reverse=True)
    grouped = [e["group"] for e in doc["participants"].values() if e["group"] is not None]
    assert sum(sizes) == len(grouped)
    for group in doc["groups"]:
        assert set(group) == {"id", "size", "representative"}
        assert group["representative"]
        for rep in group["representative"]:
            assert list(rep) == ["statement", "direction", "probability", "repness", "z"]
            assert rep["direction"] in {"agree", "disagree"}
            assert 0 < rep["probability"] < 1
    assert set(doc["consensus"]) == {"agree", "disagree"}
    assert doc["consensus"]["agree"]
    assert all(0 <= v <= 1 for v in doc["group_informed_consensus"].values())
    assert all(d["spread"] >= 0 for d in doc["divisive"])
    assert doc["parameters"]["random_state"] == 0
    assert doc["parameters"]["source"] == ["comments.csv", "votes.csv"]
    assert re.fullmatch(r"[0-9a-f]{64}", doc["input_sha256"])
    assert set(doc["timings"]) == {"read", "fit", "serialise"}
    assert all(isinstance(t, float) and t >= 0 for t in doc["timings"].values())


def test_groups_are_the_engines_own_fit(vtaiwan: tuple[Path, dict[str, Any]]) -> None:
    _, doc = vtaiwan
    export = read_polis_export(VTAIWAN)
    model = OpinionMap().fit(
        export.participants, export.statements, export.values, export.moderated_out
    )
    expected = {
        str(p): (None if g < 0 else g)
        for p, g in zip(model.participants_.tolist(), model.groups_.tolist(), strict=True)
    }
    assert {p: e["group"] for p, e in doc["participants"].items()} == expected
    xy = np.array([[e["x"], e["y"]] for e in doc["participants"].values()])
    np.testing.assert_allclose(xy, model.coords_, rtol=1e-12, atol=1e-12)
    assert [r["statement"] for r in doc["groups"][0]["representative"]] == [
        r.statement for r in model.representative_[0]
    ]
    assert [c["statement"] for c in doc["consensus"]["agree"]] == [
        c.statement for c in model.consensus_["agree"]
    ]
    assert [d["statement"] for d in doc["divisive"]] == [d.statement for d in model.divisive_]


def test_the_fast_votes_reader_gives_the_csv_readers_arrays() -> None:
    folder = _need(VTAIWAN)
    fast = analyse_module.fast_votes_export(
        (folder / "comments.csv").read_bytes(), (folder / "votes.csv").read_bytes()
    )
    assert fast is not None
    slow = read_polis_export(folder)
    for name in (
        "participants",
        "statements",
        "values",
        "moderated_out",
        "statement_ids",
        "timestamps",
    ):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
        assert getattr(fast, name).dtype == getattr(slow, name).dtype, name


def test_a_second_run_gives_the_same_bytes_apart_from_timings(
    vtaiwan: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    first, _ = vtaiwan
    again = tmp_path / "again.json"
    result = _run(VTAIWAN, "--out", again)
    assert result.exit_code == 0, result.output
    assert _without_timings(again.read_text("utf-8")) == _without_timings(first.read_text("utf-8"))


def test_a_quoted_votes_csv_goes_through_the_csv_reader_with_the_same_result(
    tmp_path: Path,
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(_need(LONDON), plain)
    quoted = tmp_path / "quoted"
    shutil.copytree(LONDON, quoted)
    lines = (LONDON / "votes.csv").read_text("utf-8").splitlines()
    (quoted / "votes.csv").write_text(
        "\n".join(",".join(f'"{cell}"' for cell in line.split(",")) for line in lines) + "\n",
        encoding="utf-8",
    )
    comments, votes_csv = ((quoted / name).read_bytes() for name in ("comments.csv", "votes.csv"))
    assert analyse_module.fast_votes_export(comments, votes_csv) is None
    outs = []
    for folder in (plain, quoted):
        out = tmp_path / f"{folder.name}.json"
        result = _run(folder, "--out", out, "--groups", "2")
        assert result.exit_code == 0, result.output
        outs.append(json.loads(out.read_text("utf-8")))
    assert outs[0]["input_sha256"] != outs[1]["input_sha256"]
    for doc in outs:
        del doc["input_sha256"], doc["timings"]
    assert outs[0] == outs[1]
    assert len(outs[0]["groups"]) == 2
    assert outs[0]["parameters"]["n_groups"] == 2


def test_options_reach_the_engine(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = _run(
        _need(LONDON), "--out", out, "--seed", "3", "--min-votes", "30", "--max-groups", "3"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    params = doc["parameters"]
    assert (params["random_state"], params["min_votes"], params["max_groups"]) == (3, 30, 3)
    assert len(doc["groups"]) <= 3


def test_missing_votes_as_passes_groups_everyone_who_voted(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = _run(_need(LONDON), "--out", out, "--missing-votes", "pass")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["parameters"]["missing_votes"] == "pass"
    assert all(p["group"] is not None for p in doc["participants"].values())  # 26, not 24
    assert len(doc["participants"]) == 26
    bad = _run(_need(LONDON), "--out", out, "--missing-votes", "zero")
    assert bad.exit_code == 2
    assert "'zero' is not one of 'mean', 'pass'" in bad.output


def test_replay_every_reproduces_polis_live_updates(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = _run(_need(LONDON), "--out", out, "--replay-every", "1")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["parameters"]["replay_every"] == 1.0
    expected = replay_export(read_polis_export(LONDON))
    groups = {int(p): v["group"] for p, v in doc["participants"].items()}
    assert len(doc["groups"]) == expected.n_groups_ == 4  # one fit of the same votes gives 2
    for pid, group in zip(expected.participants_.tolist(), expected.groups_.tolist(), strict=True):
        assert groups[pid] == (None if group < 0 else group)


def test_replay_needs_the_vote_log_and_a_positive_interval(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    wide = _run(_need(BOWLING_GREEN), "--out", out, "--replay-every", "1")
    assert wide.exit_code == 1
    assert "--replay-every needs votes.csv" in wide.output
    zero = _run(_need(LONDON), "--out", out, "--replay-every", "0")
    assert zero.exit_code == 2
    assert not out.exists()


def test_progress_goes_to_stderr_for_large_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analyse_module, "LARGE_INPUT_BYTES", 0)
    out = tmp_path / "result.json"
    result = _run(_need(LONDON), "--out", out)
    assert result.exit_code == 0, result.output
    assert "Fitting the opinion map" in result.stderr
    assert "Fitting" not in result.stdout
    assert result.stdout.startswith(f"{out}: 26 participants")


def test_small_inputs_print_no_progress(tmp_path: Path) -> None:
    result = _run(_need(LONDON), "--out", tmp_path / "result.json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# The whole process, as a person runs it: Django must never be imported.
NO_DJANGO = """\
import runpy, sys
sys.argv = ["cityforum", *sys.argv[1:]]
try:
    runpy.run_module("cityforum.cli.main", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    status = exc.code
leaked = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {"django", "ninja", "rules"}
    or name.startswith(("cityforum.settings", "cityforum.programme", "cityforum.cities",
                        "cityforum.people", "cityforum.api", "cityforum.core"))
)
print("LEAKED", leaked, file=sys.stderr)
sys.exit(1 if leaked else status)
"""


def test_as_a_process_on_a_wide_export_without_django(tmp_path: Path) -> None:
    folder = _need(BOWLING_GREEN)
    assert not (folder / "votes.csv").exists()
    out = tmp_path / "process.json"
    proc = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, "analyse", "votes", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "LEAKED []" in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{out}: 2,031 participants")
    doc = json.loads(out.read_text("utf-8"))
    assert list(doc) == TOP_KEYS
    assert doc["parameters"]["source"] == ["comments.csv", "participants-votes.csv"]
    assert len(doc["participants"]) == 2031

    export = read_polis_export(folder)
    model = OpinionMap().fit(
        export.participants, export.statements, export.values, export.moderated_out
    )
    grouped = model.groups_[model.groups_ >= 0]
    assert [g["size"] for g in doc["groups"]] == np.bincount(grouped).tolist()
    assert [doc["participants"][str(p)]["group"] for p in model.participants_.tolist()] == [
        None if g < 0 else g for g in model.groups_.tolist()
    ]

    in_process = tmp_path / "in_process.json"
    assert _run(folder, "--out", in_process).exit_code == 0
    assert _without_timings(in_process.read_text("utf-8")) == _without_timings(
        out.read_text("utf-8")
    )


def test_the_console_script_fails_cleanly_with_status_1(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("cityforum")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cityforum.cli.main"]
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [*command, "analyse", "votes", str(tmp_path / "nowhere"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Error:" in proc.stderr and "no such folder" in proc.stderr
    assert not out.exists()


# Bad input: a message naming the problem, exit status 1, and no output file.


def _fails(folder: Path, out: Path, *extra: str) -> str:
    result = _run(folder, "--out", out, *extra)
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*")), "a temporary file was left behind"
    assert "Traceback" not in result.output
    return result.output


def test_missing_folder(tmp_path: Path) -> None:
    message = _fails(tmp_path / "nowhere", tmp_path / "result.json")
    assert "nowhere: no such folder" in message


def test_folder_without_comments(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(_need(LONDON) / "votes.csv", folder)
    message = _fails(folder, tmp_path / "result.json")
    assert "comments.csv not found" in message


def test_folder_without_votes(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(_need(LONDON) / "comments.csv", folder)
    message = _fails(folder, tmp_path / "result.json")
    assert "neither votes.csv nor participants-votes.csv" in message


def test_malformed_votes_csv_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(_need(LONDON), folder)
    lines = (folder / "votes.csv").read_text("utf-8").splitlines(keepends=True)
    lines[4] = lines[4].rsplit(",", 1)[0] + ",yes\n"  # line 5 of the file
    (folder / "votes.csv").write_text("".join(lines), encoding="utf-8")
    message = _fails(folder, tmp_path / "result.json")
    assert "votes.csv, line 5" in message and "'yes'" in message


def test_votes_csv_with_a_missing_field_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(_need(LONDON), folder)
    lines = (folder / "votes.csv").read_text("utf-8").splitlines(keepends=True)
    lines[9] = lines[9].rsplit(",", 1)[0] + "\n"  # line 10: four fields instead of five
    (folder / "votes.csv").write_text("".join(lines), encoding="utf-8")
    message = _fails(folder, tmp_path / "result.json")
    assert "votes.csv, line 10: expected 5 fields, found 4" in message


def test_no_votes(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(_need(LONDON) / "comments.csv", folder)
    (folder / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n", "utf-8")
    message = _fails(folder, tmp_path / "result.json")
    assert "no votes" in message.lower()


def test_a_conversation_too_small_to_group(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(_need(LONDON) / "comments.csv", folder)
    (folder / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1,Mon,1,7,1\n2,Mon,2,7,-1\n3,Mon,3,7,1\n",
        encoding="utf-8",
    )
    message = _fails(folder, tmp_path / "result.json")
    assert "cannot map this conversation" in message
    assert "at least 2 are needed" in message


def test_a_failure_leaves_an_existing_result_untouched(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    out.write_text("previous result\n", encoding="utf-8")
    result = _run(tmp_path / "nowhere", "--out", out)
    assert result.exit_code == 1
    assert out.read_text("utf-8") == "previous result\n"


def test_output_folder_must_exist(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "result.json"
    result = _run(_need(LONDON), "--out", out)
    assert result.exit_code == 1
    assert "no such folder for the output file" in result.output
    assert not out.parent.exists()
