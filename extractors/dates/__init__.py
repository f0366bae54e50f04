"""Dates: finding date expressions, resolving them against the publication date, and deciding
which of them date an event."""
