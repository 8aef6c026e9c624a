"""The pieces an outcome document is made of, as plain data.

:mod:`.assemble` builds a :class:`Report` from stored results, in the reader's language;
:mod:`.render` turns the same report into a web page, a PDF and Markdown, so the three say
the same thing. Every figure carries its :class:`Source`: a link on the site (HTML, PDF) and a
short reference that still reads on paper ("Themes synthesis no. 12, approved by … on …").

A block's ``kind`` names the partial template that draws it
(``templates/reports/blocks/<kind>.html``) and the Markdown writer's method.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: ``reference`` reads on paper, ``url`` is on the site
    (a path, or an absolute address when the report knows the site's address)."""

    reference: str
    url: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Notice:
    """Something missing, said plainly (no approved synthesis yet, no opinion map…)."""

    text: str
    url: str = ""
    kind: ClassVar[str] = "notice"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    url: str = ""


@dataclass(frozen=True)
class Facts:
    items: list[Fact]
    source: Source | None = None
    kind: ClassVar[str] = "facts"


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Table:
    """A table of figures; the first cell of each row heads it."""

    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    source: Source | None = None
    kind: ClassVar[str] = "table"

    def lines(self) -> list[list[tuple[Cell, bool]]]:
        """Each row's cells with whether their column holds numbers (aligned right)."""
        numeric = [c.numeric for c in self.columns]
        return [
            [(cell, numeric[i] if i < len(numeric) else False) for i, cell in enumerate(row)]
            for row in self.rows
        ]


@dataclass(frozen=True)
class Item:
    text: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class Items:
    """A list of statements or proposals; ``quoted`` when the texts are people's own words."""

    items: list[Item]
    quoted: bool = False
    source: Source | None = None
    title: str = ""
    kind: ClassVar[str] = "items"


@dataclass(frozen=True)
class Quote:
    """People's own words, in their language, never translated; ``where`` says the region."""

    text: str
    language: str
    where: str
    url: str
    reference: str


@dataclass(frozen=True)
class Quotes:
    items: list[Quote]
    kind: ClassVar[str] = "quotes"


@dataclass(frozen=True)
class Chart:
    """A chart drawn as inline SVG (``shape``: ``bars``, ``radar`` or ``map``); ``description``
    is its text alternative, and ``table`` (when given) the figures it draws."""

    shape: str
    title: str
    description: str
    drawing: Any
    table: Table | None = None
    source: Source | None = None
    kind: ClassVar[str] = "chart"


@dataclass(frozen=True)
class DraftedText:
    """A drafted document as :func:`cityforum.drafting.exports.describe` gives it."""

    document: dict[str, Any]
    source: Source | None = None
    kind: ClassVar[str] = "drafted"


Block = Paragraph | Notice | Facts | Table | Items | Quotes | Chart | DraftedText


@dataclass
class Section:
    """A part of the report: ``h2`` at the top level, ``h3`` for its subsections."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    #: On paper, a major section starts a new page, unless all it holds is a notice.
    major: bool = True

    @property
    def new_page(self) -> bool:
        only_notices = all(isinstance(b, Notice) for b in self.blocks) and not self.subsections
        return self.major and not only_notices


@dataclass
class Report:
    kind: str  # "forum" or "consultation"
    language: str
    title: str
    subtitle: str
    badge: str
    cover: list[Fact]
    provenance: str
    sections: list[Section]
    file_stem: str
    url: str
    as_of: str

    def outline(self) -> Iterator[tuple[int, Section]]:
        """Every section with its level (2, 3), in reading order: the table of contents."""
        for section in self.sections:
            yield 2, section
            for sub in section.subsections:
                yield 3, sub
