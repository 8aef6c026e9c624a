"""Outcome documents of the forum and its consultations (HTML, PDF, Markdown), assembled from
stored, approved results, and the organisers' dashboard."""
