"""``cityforum analyse texts``: a CSV or JSON Lines file of contributions in, the synthesis out.

Run on real Barcelona PAM 2016 proposals from the shared data (see its README for the licence),
in process with click's runner and as a separate process, where Django must never be imported.
Every bad input stops with exit status 2, one readable line, and nothing written.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cityforum.cli.main import cli

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "consultations"
BARCELONA = DATA / "decidim-barcelona-pam-2016" / "proposals.csv"
TOP_KEYS = ["items", "themes", "trends", "specificities", "parameters"]
CAPITALS = ["human", "social", "economic", "cultural", "environmental"]
COLUMNS = ["--text-column", "text", "--id-column", "id"]


def _run(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, ["analyse", "texts", *map(str, args)])


def _barcelona_rows(step: int = 12) -> list[dict[str, str]]:
    if not BARCELONA.exists():
        pytest.fail(f"shared data missing: {BARCELONA}")
    with BARCELONA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[::step]
    return [
        {
            "id": f"bcn-{r['proposal_id']}",
            "text": f"{r['title']}. {r['text']}",
            "district": r["district"] or "city-wide",
            "lang": r["lang_guess"],
        }
        for r in rows
    ]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def barcelona(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("barcelona")
    source = _write_csv(folder / "proposals.csv", _barcelona_rows())
    out = folder / "result.json"
    result = _run(
        source, *COLUMNS, "--region-column", "district", "--language-column", "lang",
        "--out", out, "--themes", "8",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return source, json.loads(out.read_text("utf-8"))


def test_writes_the_documented_shape(barcelona: tuple[Path, dict[str, Any]]) -> None:
    source, doc = barcelona
    rows = _read_csv(source)
    assert list(doc) == TOP_KEYS
    assert list(doc["items"]) == [r["id"] for r in rows]
    regions = sorted({r["district"] for r in rows})
    for row in rows:
        item = doc["items"][row["id"]]
        assert list(item) == ["language", "capitals", "themes"]
        supported = row["lang"] in ("fr", "en", "es", "ca", "pt")
        assert item["language"] == (row["lang"] if supported else "und")
        assert list(item["capitals"]) == CAPITALS
        total = sum(item["capitals"].values())
        assert total == pytest.approx(1, abs=1e-3) or total == 0
        assert all(0 <= theme < 8 for theme in item["themes"])
    assert [t["id"] for t in doc["themes"]] == list(range(8))
    for theme in doc["themes"]:
        assert list(theme) == ["id", "labels", "terms", "size", "quotes", "prevalence"]
        assert set(theme["labels"]) == {"fr", "en", "es"} and all(theme["labels"].values())
        assert theme["size"] == sum(theme["id"] in i["themes"] for i in doc["items"].values())
        assert theme["quotes"] and all(q in doc["items"] for q in theme["quotes"])
        assert all(theme["id"] in doc["items"][q]["themes"] for q in theme["quotes"])
        assert sorted(theme["prevalence"]) == regions
        for region, share in theme["prevalence"].items():
            members = [r for r in rows if r["district"] == region]
            inside = sum(theme["id"] in doc["items"][r["id"]]["themes"] for r in members)
            assert share == pytest.approx(inside / len(members), abs=1e-4)
    for trend in doc["trends"]:
        assert list(trend) == ["theme", "regions_present", "regions_total", "evenness", "absent_in"]
        assert trend["regions_total"] == len(regions)
        assert sorted(trend["regions_present"] + trend["absent_in"]) == regions
        assert len(trend["regions_present"]) >= 2 * len(regions) / 3
        assert 0 <= trend["evenness"] <= 1
    assert doc["specificities"]
    for spec in doc["specificities"]:
        assert list(spec) == ["region", "kind", "key", "z", "count"]
        assert spec["kind"] in {"concept", "term", "theme"} and spec["region"] in regions
        assert spec["z"] > 1.96 and spec["count"] >= 1
    params = doc["parameters"]
    assert params["texts"] == len(rows) and params["n_themes"] == 8
    assert params["columns"]["region"] == "district"
    assert set(params["timings"]) == {
        "read_and_analyse", "themes", "trends_and_specificities", "capitals",
    }  # fmt: skip


def test_theme_specificities_agree_with_the_prevalences(
    barcelona: tuple[Path, dict[str, Any]],
) -> None:
    _, doc = barcelona
    themes = {t["id"]: t for t in doc["themes"]}
    for spec in (s for s in doc["specificities"] if s["kind"] == "theme"):
        prevalence = themes[int(spec["key"])]["prevalence"]
        others = [p for r, p in prevalence.items() if r != spec["region"]]
        assert prevalence[spec["region"]] > sum(others) / len(others)


def test_jsonl_gives_the_same_result_as_csv(
    barcelona: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    source, doc = barcelona
    jsonl = tmp_path / "proposals.jsonl"
    with jsonl.open("w", encoding="utf-8") as handle:
        for row in _read_csv(source):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    out = tmp_path / "result.json"
    result = _run(
        jsonl, *COLUMNS, "--region-column", "district", "--language-column", "lang",
        "--out", out, "--themes", "8",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    again = json.loads(out.read_text("utf-8"))
    for key in ("items", "themes", "trends", "specificities"):
        assert again[key] == doc[key], key
    assert again["parameters"]["format"] == "jsonl" and doc["parameters"]["format"] == "csv"


def test_confirmed_tags_train_the_classifier(tmp_path: Path) -> None:
    rows = _barcelona_rows(step=8)
    axes = {"Transició ecològica": "environmental", "Economia plural": "economic"}
    with BARCELONA.open(encoding="utf-8", newline="") as handle:
        category = {f"bcn-{r['proposal_id']}": r["category"] for r in csv.DictReader(handle)}
    for i, row in enumerate(rows):  # one proposal in three carries its axis' capital
        row["capital"] = axes.get(category[row["id"]], "") if i % 3 == 0 else ""
    source = _write_csv(tmp_path / "tagged.csv", rows)
    out = tmp_path / "result.json"
    result = _run(
        source, *COLUMNS, "--language-column", "lang", "--capital-column", "capital",
        "--out", out, "--themes", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    info = doc["parameters"]["capitals"]
    confirmed = sum(bool(r["capital"]) for r in rows)
    assert info["confirmed"] == confirmed >= 100
    assert 0 < info["classifier_weight"] < 1
    untagged = [r for i, r in enumerate(rows) if i % 3 and category[r["id"]] in axes]
    hits = sum(
        max(doc["items"][r["id"]]["capitals"], key=doc["items"][r["id"]]["capitals"].get)
        == axes[category[r["id"]]]
        for r in untagged
    )
    assert hits / len(untagged) >= 0.7, hits / len(untagged)


def test_progress_goes_to_stderr_and_the_summary_to_stdout(
    barcelona: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    source, _ = barcelona
    out = tmp_path / "result.json"
    result = _run(source, *COLUMNS, "--out", out, "--themes", "4", "--progress")
    assert result.exit_code == 0, result.output
    for phase in ("Reading and analysing", "Finding 4 themes", "global trends", "Capital scores",
                  "Writing", "Done"):  # fmt: skip
        assert phase in result.stderr
    assert "Finding" not in result.stdout
    assert result.stdout.startswith(f"{out}: ")
    quiet = _run(source, *COLUMNS, "--out", out, "--themes", "4")
    assert quiet.exit_code == 0 and quiet.stderr == ""


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
                        "cityforum.people", "cityforum.api", "cityforum.core",
                        "cityforum.synthesis"))
)
print("LEAKED", leaked, file=sys.stderr)
sys.exit(1 if leaked else status)
"""


def test_as_a_process_without_django(
    barcelona: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    source, doc = barcelona
    out = tmp_path / "process.json"
    proc = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, "analyse", "texts", str(source), *COLUMNS,
         "--region-column", "district", "--language-column", "lang", "--out", str(out),
         "--themes", "8"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "LEAKED []" in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    again = json.loads(out.read_text("utf-8"))
    for key in ("items", "themes", "trends", "specificities"):
        assert again[key] == doc[key], key


# --- Input that is odd but valid: analysed, and said plainly ------------------------------


def test_one_region_only_gives_no_specificity_and_says_so(tmp_path: Path) -> None:
    rows = [dict(r, district="Gràcia") for r in _barcelona_rows(step=20)]
    source = _write_csv(tmp_path / "one.csv", rows)
    out = tmp_path / "result.json"
    result = _run(source, *COLUMNS, "--region-column", "district", "--out", out, "--themes", "4",
                  "--language-column", "lang")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["specificities"] == [] and doc["trends"] == []
    note = "One region only (only the region 'Gràcia'): no regional specificity can be computed."
    assert note in doc["parameters"]["notes"]
    assert note in result.stdout
    assert all(set(t["prevalence"]) == {"Gràcia"} for t in doc["themes"])


def test_texts_in_an_unsupported_language_are_kept_marked_and_not_stemmed(tmp_path: Path) -> None:
    rows = _barcelona_rows(step=20)
    german = "Die Wohnungen im Viertel sind zu teuer geworden und die Mieten steigen weiter"
    rows += [
        {"id": f"de-{i}", "text": german, "district": "Gràcia", "lang": "de"} for i in range(6)
    ]
    source = _write_csv(tmp_path / "mixed.csv", rows)
    out = tmp_path / "result.json"
    result = _run(source, *COLUMNS, "--region-column", "district", "--language-column", "lang",
                  "--out", out, "--themes", "4")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    for i in range(6):
        item = doc["items"][f"de-{i}"]
        assert item["language"] == "und"
        assert item["capitals"] == dict.fromkeys(CAPITALS, 0.0)  # no concept in German
    assert any("unsupported or unknown language" in n for n in doc["parameters"]["notes"])
    # unstemmed: the German words are specific to Gràcia as written ("wohnungen", not a stem)
    terms = {s["key"] for s in doc["specificities"] if s["kind"] == "term"}
    assert "und:wohnungen" in terms


def test_languages_are_detected_when_no_column_is_given(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "text": "Il faut plus de pistes cyclables et de logements sociaux en ville"},
        {"id": "2", "text": "Cal més habitatge públic i més zones verdes als barris de la ciutat"},
        {"id": "3", "text": "Necesitamos más árboles y menos coches en las calles del barrio"},
        {"id": "4", "text": "12345 !!!"},
    ]
    source = _write_csv(tmp_path / "langs.csv", rows)
    out = tmp_path / "result.json"
    result = _run(source, *COLUMNS, "--out", out, "--themes", "2")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert [doc["items"][i]["language"] for i in "1234"] == ["fr", "ca", "es", "und"]
    assert doc["parameters"]["languages_detected"] == 4


def test_a_very_long_text_is_analysed_from_its_beginning(tmp_path: Path) -> None:
    rows = _barcelona_rows(step=20)
    rows.append(
        {
            "id": "long",
            "text": "Més arbres i més verd urbà al barri. " * 150_000,
            "district": "Gràcia",
            "lang": "ca",
        }
    )  # fmt: skip  (5.5 MB in one field)
    source = _write_csv(tmp_path / "long.csv", rows)
    out = tmp_path / "result.json"
    result = _run(source, *COLUMNS, "--region-column", "district", "--language-column", "lang",
                  "--out", out, "--themes", "4")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["items"]["long"]["capitals"]["environmental"] > 0.5
    assert (
        "1 texts longer than 20,000 characters: only their beginning was analysed."
        in (doc["parameters"]["notes"])
    )


# --- Bad input: exit status 2, one line, nothing written ----------------------------------


def _refused(tmp_path: Path, source: Path, *options: str) -> str:
    out = tmp_path / "result.json"
    out.write_text("previous result", encoding="utf-8")
    result = _run(source, *(options or COLUMNS), "--out", out, "--no-progress")
    assert result.exit_code == 2, result.output
    assert out.read_text("utf-8") == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, out.name])
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    assert "Traceback" not in result.output
    return message


def test_an_empty_corpus_is_refused(tmp_path: Path) -> None:
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,text\n", encoding="utf-8")
    assert "no contributions" in _refused(tmp_path, header_only)
    header_only.unlink()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty file" in _refused(tmp_path, empty)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    source = tmp_path / "columns.csv"
    source.write_text("ident,body,region\n1,Més arbres,Gràcia\n", encoding="utf-8")
    message = _refused(tmp_path, source)
    assert "no column 'id', 'text'" in message and "ident, body, region" in message


def test_missing_jsonl_fields_and_broken_lines_are_named(tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text('{"id": 1, "text": "Més arbres"}\n{"id": 2}\n', encoding="utf-8")
    assert "line 2: no field 'text'" in _refused(tmp_path, source)
    source.write_text('{"id": 1, "text": "Més arbres"}\n{"id": 2, "text": \n', encoding="utf-8")
    assert "line 2: not JSON" in _refused(tmp_path, source)


def test_binary_junk_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "junk.csv"
    source.write_bytes(bytes(range(256)) * 64)
    assert "binary data" in _refused(tmp_path, source)


def test_invalid_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("id,text\n1,Més arbres\n2,Plus d'écoles\n".encode("latin-1"))
    message = _refused(tmp_path, source)
    assert "line 2 is not valid UTF-8" in message and "0xe9" in message


def test_ragged_rows_repeated_ids_and_unknown_capitals_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("id,text\n1,Més arbres\n2,Més verd,extra\n", encoding="utf-8")
    assert "line 3: 3 fields where the header has 2" in _refused(tmp_path, source)
    source.write_text("id,text\n1,Més arbres\n1,Més verd\n", encoding="utf-8")
    assert "line 3: the id '1' is repeated" in _refused(tmp_path, source)
    source.write_text("id,text\n,Més arbres\n", encoding="utf-8")
    assert "line 2: the id (id) is empty" in _refused(tmp_path, source)
    source.write_text("id,text,cap\n1,Més arbres,spiritual\n", encoding="utf-8")
    message = _refused(tmp_path, source, *COLUMNS, "--capital-column", "cap")
    assert "capital 'spiritual' is not one of human, social" in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = _run(tmp_path / "nowhere.csv", *COLUMNS, "--out", out)
    assert result.exit_code == 2 and "no such file" in result.stderr
    assert not out.exists()


def test_invalid_utf8_beyond_the_first_megabyte_is_refused_near_its_line(tmp_path: Path) -> None:
    source = tmp_path / "late.csv"
    body = "".join(f"{i},Més arbres i més verd urbà al barri número {i}\n" for i in range(30_000))
    source.write_bytes(b"id,text\n" + body.encode("utf-8") + "x,Plus d'écoles\n".encode("latin-1"))
    assert source.stat().st_size > 1_100_000
    message = _refused(tmp_path, source)
    assert "line 30,002 is not valid UTF-8 (byte 0xe9" in message


def test_json_lines_with_a_non_object_or_a_nested_value_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text('{"id": 1, "text": "Més arbres"}\n[1, 2]\n', encoding="utf-8")
    assert "line 2: a JSON object was expected" in _refused(tmp_path, source)
    source.write_text('{"id": 1, "text": {"ca": "Més arbres"}}\n', encoding="utf-8")
    assert "line 1: a dict where a text or a number was expected" in _refused(tmp_path, source)


def test_texts_sharing_no_word_give_items_but_no_theme_and_say_so(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    single = tmp_path / "single.csv"
    single.write_text("id,text\n1,Més arbres al barri\n", encoding="utf-8")
    result = _run(single, *COLUMNS, "--out", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["themes"] == [] and doc["items"]["1"]["themes"] == []
    assert doc["items"]["1"]["capitals"]["environmental"] > 0
    assert any(n.startswith("No themes: the texts share too few words") for n in
               doc["parameters"]["notes"])  # fmt: skip
    blank = tmp_path / "blank.csv"
    blank.write_text("id,text\n1,\n2,   \n", encoding="utf-8")
    result = _run(blank, *COLUMNS, "--out", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text("utf-8"))
    assert doc["items"]["2"] == {
        "language": "und", "capitals": dict.fromkeys(CAPITALS, 0.0), "themes": [],
    }  # fmt: skip
    assert "2 empty texts: kept, with no theme and no capital." in doc["parameters"]["notes"]
