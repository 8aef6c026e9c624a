"""Light Markdown for contributions, rendered inert: no HTML in, only safe tags out.

markdown-it-py runs with HTML disabled, so ``<script>`` typed by a person stays text;
nh3 (the Rust ammonia sanitiser) then keeps only the tags below and safe link schemes,
as a second wall should the renderer ever let something through.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # Headings and images are not part of a contribution's light Markdown.
    return MarkdownIt("commonmark", {"html": False}).disable(["heading", "lheading", "image"])


def render(text: str) -> SafeString:
    """``text`` (light Markdown) as sanitised HTML, safe to put in a page."""
    html = _renderer().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
