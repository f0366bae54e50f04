"""Commodities: the `tradeline_commodities` component and which commodity an event is about."""
