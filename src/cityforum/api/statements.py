"""API of the statements app."""

from ninja import Router

router = Router(tags=["statements"])
