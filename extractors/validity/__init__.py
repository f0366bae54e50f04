"""Validity periods: explicit durations of licences, permits, controls, bans and pauses."""
