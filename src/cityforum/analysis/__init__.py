"""The analysis engines: pure Python (numpy, scipy, scikit-learn), never Django.

They take arrays, ids and frozen dataclasses and return the same, so that they run in
a notebook, a background worker or the command line alike. Public modules:
:mod:`.opinion` (the Pol.is opinion map), :mod:`.polis_export` (reading Pol.is exports),
:mod:`.capitals` (the balance index of the five capitals), :mod:`.cityroles` (cities
classified by their role in their territory), :mod:`.transformation` (the line of
transformation and capitals suggested for a recommendation). Modules whose names start with
``_`` are private. An import-linter contract and ``tests/core/test_analysis_is_pure.py`` keep
the package free of Django.
"""
