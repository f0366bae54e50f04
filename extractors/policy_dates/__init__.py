"""Which dates the rules find date an event (GUIDELINES §5): the trained policy-date filter."""
