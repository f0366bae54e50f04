"""Events: the `tradeline_events` trigger component, its dependency templates, and the event
facts (which triggers state an action, their dates, actors, firms and commodities)."""
