"""No personal data in any report: Zenobia Quillfeather contributed, commented, endorsed, voted,
proposed an amendment and signed for her city, and neither her name nor her e-mail address (nor
its local part) is in any byte of any report, in any format or language. Nor is anyone else's
e-mail address. What she did is counted; her organisation, a public body, is listed as a
signatory.
"""

from __future__ import annotations

import re

import pytest

from . import dataset
from .conftest import FORMATS, KINDS, LANGUAGES, Bundle, inflated_streams, needs_poppler

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    "Zenobia",
    "Quillfeather",
    dataset.ZENOBIA_EMAIL.split("@")[0],
    dataset.ZENOBIA_EMAIL,
]


def _everything(bundle: Bundle, kind: str, format: str, language: str) -> list[bytes]:
    content = bundle.files[(kind, format, language)]
    if format != "pdf":
        return [content]
    pieces = [content, inflated_streams(content)]
    if bundle.pdf_text:
        pieces.append(bundle.pdf_text[(kind, language)].encode("utf-8"))
    return pieces


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_participant_is_named_in_any_byte(
    bundle: Bundle, kind: str, format: str, language: str
) -> None:
    for piece in _everything(bundle, kind, format, language):
        lowered = piece.lower()
        for word in FORBIDDEN:
            assert word.lower().encode() not in lowered, (kind, format, language, word)
            # UTF-16 (PDF strings and metadata may be written so)
            assert word.lower().encode("utf-16-be") not in lowered, (kind, format, language)
        assert not re.search(rb"[\w.+-]+@example\.org", lowered), (kind, format, language)


@needs_poppler
def test_what_zenobia_did_is_counted_and_her_city_signed(bundle: Bundle) -> None:
    """The test means something: her organisation is named (it signed), and the report was
    made from the data she took part in."""
    text = bundle.text("forum", "pdf", "en")
    assert "Ville de Thiès" in text
    assert dataset.ORGANISER_NAME.split()[0] in text  # the approver, by display name
