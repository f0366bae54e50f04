"""Text helpers every kind uses: the line-break component, datelines, the gated and anchored
matchers, token-pattern files and per-doc caches."""
