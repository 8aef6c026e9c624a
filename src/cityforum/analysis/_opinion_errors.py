"""Exceptions of the opinion map; documented and re-exported by :mod:`.opinion`."""

from __future__ import annotations


class OpinionMapError(ValueError):
    """Anything the opinion map refuses (a ValueError, so generic "bad input" handlers work)."""


class NoVotesError(OpinionMapError):
    """The input holds no votes at all."""


class InvalidVotesError(OpinionMapError):
    """Ids that are not non-negative integers, votes outside -1/0/1, or arrays of unequal length."""


class ConversationTooSmallError(OpinionMapError):
    """Too few participants or statements to project and group (the message says which)."""
