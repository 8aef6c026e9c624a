"""What the statements app tells others, without knowing who listens.

Why signals: the live opinion map (synthesis) must hear of every vote, but the vote path must
not depend on the synthesis app nor wait for it. Receivers must be cheap (they run on the
vote's request, after its write).
"""

from __future__ import annotations

from django.dispatch import Signal

#: A vote was written (``consultation_id``); sent after the write's own transaction.
vote_cast = Signal()

#: A Pol.is export was imported (``consultation``, ``export``: the
#: :class:`~cityforum.analysis.polis_export.PolisExport`, ``events``: votes in its log); sent
#: inside the import's transaction.
polis_imported = Signal()
