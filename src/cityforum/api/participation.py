"""API of the participation app."""

from ninja import Router

router = Router(tags=["participation"])
