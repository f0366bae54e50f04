"""Firms: the `tradeline_companies` component, name canonicalisation, and company facts."""
