"""Who may compute an opinion map (django-rules).

The opinion map has one permission, the one it shares with the themes:
``synthesis.run`` (organisers), named in :mod:`cityforum.synthesis.rules`. Importing this
module registers it, as every part's ``rules`` module does for its own.
"""

from __future__ import annotations

from cityforum.synthesis import rules as _shared  # noqa: F401  (registers synthesis.run)
