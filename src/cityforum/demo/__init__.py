"""The demonstration forum: ``cityforum demo`` (``make demo``) builds a separate database from
real public consultations and serves it, with a banner on every page and an "About this
demo" page naming every source. Nothing here runs on a real forum (``CITYFORUM_DEMO`` off).
"""
