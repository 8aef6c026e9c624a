"""The Markdown reports are well formed: one ``#`` title, a ``##`` per section in the order of
the web page, no heading level skipped, figures as tables whose rows all have the header's
width, sources as links, and nothing people wrote turned into markup."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from cityforum.reports.blocks import Item, Items, Report, Section, Source
from cityforum.reports.markdown import to_markdown

from .conftest import KINDS, LANGUAGES, Bundle

pytestmark = pytest.mark.django_db

PARSER = MarkdownIt("commonmark").enable("table")


def headings(markdown: str) -> list[tuple[int, str]]:
    tokens = PARSER.parse(markdown)
    out = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            out.append((int(token.tag[1]), tokens[i + 1].content))
    return out


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_one_title_then_sections_without_skipping_a_level(
    bundle: Bundle, kind: str, language: str
) -> None:
    found = headings(bundle.text(kind, "md", language))
    assert [level for level, _text in found].count(1) == 1
    assert found[0][0] == 1
    previous = 1
    for level, text in found[1:]:
        assert 2 <= level <= previous + 1, (level, text)
        previous = level
    html = bundle.text(kind, "html", language).replace("\u2019", "'")  # curly apostrophes
    h2 = [text.replace("\u2019", "'") for level, text in found if level == 2]
    assert len(h2) >= 6
    positions = [
        max(html.find(f">{t}</h2>"), html.find(f">{t.replace(chr(39), '&#x27;')}</h2>")) for t in h2
    ]
    assert all(p > 0 for p in positions) and positions == sorted(positions), h2


@pytest.mark.parametrize("kind", KINDS)
def test_figures_are_tables_with_rows_as_wide_as_their_header(bundle: Bundle, kind: str) -> None:
    tokens = PARSER.parse(bundle.text(kind, "md", "en"))
    tables, width, row = 0, 0, 0
    for token in tokens:
        if token.type == "table_open":
            tables += 1
        elif token.type == "thead_open":
            width, row = -1, 0
        elif token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
        elif token.type == "tr_close":
            if width == -1:
                width = row
            assert row == width
    assert tables >= 4


def test_sources_are_links_and_people_s_words_stay_words(bundle: Bundle) -> None:
    markdown = bundle.text("consultation", "md", "en")
    tokens = PARSER.parse(markdown)
    links = [
        child.attrs.get("href")
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert any(str(href).startswith("/en/synthesis/") for href in links)
    assert any(str(href).startswith("/en/participate/contributions/") for href in links)


def test_hostile_text_is_escaped() -> None:
    """A statement written to inject markup or a link is printed as its characters."""
    hostile = '<script>alert("x")</script> **bold** [link](javascript:alert(1)) # heading'
    report = Report(
        kind="consultation",
        language="en",
        title="T",
        subtitle="",
        badge="B",
        cover=[],
        provenance="P",
        sections=[Section("s", "Section")],
        file_stem="t",
        url="/",
        as_of="",
    )
    report.sections[0].blocks = [Items([Item(hostile)], quoted=True, source=Source("ref", "/x/"))]
    html = PARSER.render(to_markdown(report))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>bold</strong>" not in html and "**bold**" in html
    assert 'href="javascript' not in html
    assert [level for level, _t in headings(to_markdown(report))] == [1, 2]
