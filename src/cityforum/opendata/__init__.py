"""The forum's open data: every public dataset as CSV and JSON, described, licensed, reimportable.

:mod:`.bundle` writes the bundle, :mod:`.datasets` says what each dataset holds (and
therefore what never leaves the platform), :mod:`.validate` checks a bundle against its own
descriptor, :mod:`.services` imports one into a fresh instance and :mod:`.compare` tells two
bundles apart. ``docs/opendata.md`` is the reader's guide.
"""
