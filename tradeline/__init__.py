"""tradeline: trade-policy news → structured, queryable timeline of permits and controls."""

__version__ = "0.1.0"
