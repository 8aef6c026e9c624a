"""A report as CommonMark with GitHub tables: one ``#`` title, ``##`` per section, ``###`` per
subsection, figures as tables, quotes as block quotes, every source as a link.

People's words are escaped (:func:`cityforum.drafting.exports.md_escape`): no text a
participant wrote can become markup, a link or raw HTML.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from cityforum.drafting.exports import md_escape

from .blocks import (
    Block,
    Chart,
    DraftedText,
    Facts,
    Items,
    Notice,
    Paragraph,
    Quotes,
    Report,
    Section,
    Source,
    Table,
)


def _flat(text: str) -> str:
    return md_escape(" ".join(str(text).split()))


def _link(text: str, url: str) -> str:
    return f"[{_flat(text)}](<{url}>)" if url else _flat(text)


def _source(source: Source | None) -> list[str]:
    if source is None:
        return []
    return [f"{_('Source:')} {_link(source.reference, source.url)}", ""]


def _table(table: Table) -> list[str]:
    head = "| " + " | ".join(_flat(c.label) for c in table.columns) + " |"
    rule = "| " + " | ".join("---:" if c.numeric else "---" for c in table.columns) + " |"
    rows = [
        "| " + " | ".join(_link(cell.text, cell.url) for cell in row) + " |" for row in table.rows
    ]
    return [f"**{_flat(table.caption)}**", "", head, rule, *rows, "", *_source(table.source)]


def _items(block: Items) -> list[str]:
    lines = [f"**{_flat(block.title)}**", ""] if block.title else []
    for item in block.items:
        text = f"“{_flat(item.text)}”" if block.quoted else f"**{_flat(item.text)}**"
        if item.detail:
            text += f" — {_flat(item.detail)}"
        if item.url:
            text += f" (<{item.url}>)"
        lines.append(f"- {text}")
    return [*lines, "", *_source(block.source)]


def _quotes(block: Quotes) -> list[str]:
    lines: list[str] = []
    for quote in block.items:
        lines += [
            f"> {_flat(quote.text)}",
            ">",
            f"> — {_flat(quote.where)} · {_link(quote.reference, quote.url)}",
            "",
        ]
    return lines


def _paragraphs(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if line.strip():
            out += [md_escape(line.strip()), ""]
    return out


def _drafted(block: DraftedText, level: int) -> list[str]:
    doc = block.document
    lines: list[str] = []
    preamble = doc["preamble"]
    if preamble["text"]:
        if preamble["mark"]:
            lines += [f"*{_flat(preamble['mark'])}*", ""]
        lines += _paragraphs(preamble["text"])
    for part in doc["sections"]:
        article_level = level
        if part["title"]:
            lines += [f"{'#' * level} {_flat(part['title'])}", ""]
            article_level = level + 1
        for article in part["articles"]:
            lines += [f"{'#' * article_level} {_flat(article['heading'])}", ""]
            if article["mark"]:
                lines += [f"*{_flat(article['mark'])}*", ""]
            lines += _paragraphs(article["text"])
    if doc["signatories"]:
        lines += [f"**{_('Signatories')}**", ""]
        for group in doc["signatories"]:
            lines += [f"*{_flat(group['name'])}*", ""]
            for organisation in group["organisations"]:
                where = ", ".join(
                    _flat(x) for x in (organisation["city"], organisation["country"]) if x
                )
                entry = _flat(organisation["name"])
                lines.append(f"- {entry} ({where})" if where else f"- {entry}")
            lines.append("")
    lines += [f"*{_flat(doc['provenance'])}*", ""]
    return [*lines, *_source(block.source)]


def _block(block: Block, level: int) -> list[str]:
    if isinstance(block, Paragraph):
        return [_flat(block.text), ""]
    if isinstance(block, Notice):
        return [f"> **{_('Note:')}** {_flat(block.text)}", ""]
    if isinstance(block, Facts):
        lines = [f"- **{_flat(f.label)}:** {_link(f.value, f.url)}" for f in block.items]
        return [*lines, "", *_source(block.source)]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Items):
        return _items(block)
    if isinstance(block, Quotes):
        return _quotes(block)
    if isinstance(block, Chart):
        lines = [f"*{_flat(block.title)}.* {_flat(block.description)}", ""]
        return lines + (_table(block.table) if block.table else _source(block.source))
    if isinstance(block, DraftedText):
        return _drafted(block, level)
    raise TypeError(f"no Markdown for {type(block).__name__}")


def _section(section: Section, level: int) -> list[str]:
    lines = [f"{'#' * level} {_flat(section.title)}", ""]
    for block in section.blocks:
        lines += _block(block, level + 1)
    for sub in section.subsections:
        lines += _section(sub, level + 1)
    return lines


def to_markdown(report: Report) -> str:
    with translation.override(report.language):
        lines = [f"# {_flat(report.title)}", ""]
        lines += [
            f"**{_flat(report.badge)}**"
            + (f" · {_flat(report.subtitle)}" if report.subtitle else ""),
            "",
        ]
        lines += [f"- **{_flat(f.label)}:** {_flat(f.value)}" for f in report.cover] + [""]
        lines += [f"*{_flat(report.provenance)}*", ""]
        for section in report.sections:
            lines += _section(section, 2)
    return "\n".join(lines).rstrip() + "\n"
