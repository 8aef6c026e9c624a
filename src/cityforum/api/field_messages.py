"""Pydantic's validation errors, said in the request's language.

Pydantic writes its messages in English only ("Input should be a valid integer…"), and
wraps the ``ValueError`` of our own validators as "Value error, <our message>". A French
organiser must read "Ce champ est obligatoire." like every other message of the API, so the
problem's field errors are rebuilt here from the error's ``type`` and ``ctx``: our own
validators' messages (already translated) without the prefix, the kinds of error the API's
schemas can raise in the three languages, and pydantic's English for any other kind (none
is known to reach a client; a test walks the common ones).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _limit(ctx: dict[str, Any], key: str) -> Any:
    return ctx.get(key, "")


def message(error: dict[str, Any]) -> str:
    """The message for one pydantic error (``{"type", "msg", "ctx", …}``)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])  # our validator's own, translated message
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type"):
        return _("Enter a number.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("string_type", "string_unicode"):
        return _("Enter a text.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Enter a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Enter an object.")
    if kind == "json_invalid":
        return _("The request body cannot be read: send a JSON document.")
    if kind == "string_too_long":
        n = _limit(ctx, "max_length")
        return ngettext(
            "Enter at most %(n)s character.", "Enter at most %(n)s characters.", int(n or 0)
        ) % {"n": n}
    if kind == "string_too_short":
        n = _limit(ctx, "min_length")
        return ngettext(
            "Enter at least %(n)s character.", "Enter at least %(n)s characters.", int(n or 0)
        ) % {"n": n}
    if kind == "too_long":
        return _("Give at most %(n)s items.") % {"n": _limit(ctx, "max_length")}
    if kind == "too_short":
        return _("Give at least %(n)s items.") % {"n": _limit(ctx, "min_length")}
    if kind in ("greater_than_equal", "greater_than"):
        bound = _limit(ctx, "ge") if kind == "greater_than_equal" else _limit(ctx, "gt")
        if kind == "greater_than":
            return _("Enter a number greater than %(n)s.") % {"n": bound}
        return _("Enter a number of at least %(n)s.") % {"n": bound}
    if kind in ("less_than_equal", "less_than"):
        bound = _limit(ctx, "le") if kind == "less_than_equal" else _limit(ctx, "lt")
        if kind == "less_than":
            return _("Enter a number less than %(n)s.") % {"n": bound}
        return _("Enter a number of at most %(n)s.") % {"n": bound}
    if kind in ("literal_error", "enum"):
        # pydantic joins the choices with an English "or": list them with commas instead.
        choices = str(_limit(ctx, "expected")).replace(" or ", ", ")
        return _("Choose one of: %(choices)s.") % {"choices": choices}
    if kind == "extra_forbidden":
        return _("This field is not expected here.")
    return str(error.get("msg", ""))
