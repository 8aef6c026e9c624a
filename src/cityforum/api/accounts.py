"""API of accounts: tokens."""

from ninja import Router

router = Router(tags=["accounts"])
