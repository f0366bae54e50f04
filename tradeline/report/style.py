"""How an event looks: its marker symbol says the type, its colour the authority. Kept in one
place so the chart, its legend and the tables agree."""

from __future__ import annotations

# Filled shapes for events; open ones are kept for marks drawn around them (a disputed date).
TYPE_SYMBOLS: dict[str, str] = {
    "permit_issued": "circle",
    "permit_applied": "diamond",
    "permit_denied": "x",
    "control_introduced": "triangle-up",
    "control_tightened": "star-triangle-up",
    "control_suspended": "hourglass",
    "control_lifted": "triangle-down",
    "control_extended": "square",
    "ban_introduced": "octagon",
    "ban_lifted": "pentagon",
}
OTHER_SYMBOL = "star"

# Colour-blind-safe first (Okabe-Ito), then Plotly's D3 set; authorities take them in order of
# how many events they have, so the most frequent ones get the most distinct colours.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
    "#8c564b", "#7f7f7f", "#bcbd22", "#17becf", "#9467bd", "#d62728", "#1f77b4",
)
NO_AUTHORITY = "authority not named"
NO_AUTHORITY_COLOUR = "#999999"
VALIDITY_COLOUR = "rgba(0, 158, 115, 0.55)"
DISPUTED_COLOUR = "#d62728"


def symbol(event_type: str | None) -> str:
    return TYPE_SYMBOLS.get(event_type or "", OTHER_SYMBOL)


def authority_colours(authorities: list[str]) -> dict[str, str]:
    """Authority → colour; `authorities` most frequent first."""
    colours: dict[str, str] = {}
    named = [a for a in authorities if a != NO_AUTHORITY]
    for i, name in enumerate(named):
        colours[name] = PALETTE[i % len(PALETTE)]
    colours[NO_AUTHORITY] = NO_AUTHORITY_COLOUR
    return colours
