"""cityforum: the platform of the World Forum of Intermediary Cities.

The web platform lives in the Django apps beside this file; the analysis engine
(:mod:`cityforum.analysis`) is pure Python and never imports Django.
"""

__version__ = "0.1.0"
