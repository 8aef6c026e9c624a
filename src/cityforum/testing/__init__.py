"""Helpers for testing cityforum, shipped with the code so that every app's tests share them."""
