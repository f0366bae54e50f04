"""A synthetic trade-news corpus for throughput benchmarks (not for accuracy: names are made up).

Articles are HTML pages: most are generated from templates (permits, licences, controls,
validity periods, dates, market filler), every `real_every`-th is a real page from
../shared/corpus/html read in place. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

COUNTRIES = [
    ("China", "Ministry of Commerce", "Beijing"),
    ("Japan", "Ministry of Economy, Trade and Industry", "Tokyo"),
    ("India", "Directorate General of Foreign Trade", "New Delhi"),
    ("Indonesia", "Ministry of Trade", "Jakarta"),
    ("the United States", "Bureau of Industry and Security", "Washington"),
    ("South Korea", "Ministry of Trade, Industry and Energy", "Seoul"),
    ("Vietnam", "Ministry of Industry and Trade", "Hanoi"),
    ("Brazil", "Ministry of Development, Industry and Trade", "Brasilia"),
]
COMMODITIES = [
    "rare earth magnets", "gallium", "germanium", "graphite anodes", "nickel ore",
    "basmati rice", "wheat flour", "lithium carbonate", "cobalt hydroxide", "palm oil",
    "semiconductor equipment", "antimony", "tungsten concentrate", "urea fertiliser",
]
SYL = ["ka", "lo", "mer", "tan", "vex", "qui", "dor", "sel", "rin", "bav", "zen", "pol", "tor"]
SUFFIX = ["Materials", "Metals", "Holdings", "Industries", "Resources", "Trading", "Technologies"]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]

EVENT_TEMPLATES = [
    "{country} issued export permits for {commodity} to {c1} and {c2} on {date}, the {authority}"
    " said in a statement.",
    "The {authority} granted {c1} a general licence to ship {commodity}; the licence is valid for"
    " {duration}.",
    "{country} introduced export controls on {commodity} on {date}, requiring shippers to apply"
    " for a licence.",
    "{c1} said it had received approval to resume {commodity} exports from {date}.",
    "Officials in {city} suspended the export licences of {c2} for {duration} after an audit.",
    "The new rules on {commodity} take effect on {date} and apply to all exporters.",
    "{country} lifted its ban on {commodity} exports on {date}, the {authority} announced.",
    "Regulators refused an application by {c1} to export {commodity} to overseas buyers.",
    "The quota for {commodity} shipments will expire on {date} unless it is renewed.",
    "{c2} expects a decision on its licence application by {month} {year}.",
]
FILLER_TEMPLATES = [
    "Prices of {commodity} rose {pct} percent in {month} as buyers rushed to secure supply.",
    "Analysts at {c1} said the market remained tight and inventories were low.",
    "Shipments from {city} fell to their lowest level in {n} months, customs data showed.",
    "Industry groups have lobbied for clearer guidance on how applications are reviewed.",
    "Traders said the measures could redirect flows of {commodity} towards other suppliers.",
    "The decision follows months of talks between officials and manufacturers in {city}.",
    "Demand from battery makers and electronics firms has grown steadily since {year}.",
    "{c2} did not respond to a request for comment on Tuesday.",
]
DURATIONS = ["one year", "six months", "two years", "90 days", "three years", "18 months"]


def company(rng: random.Random) -> str:
    name = "".join(rng.choice(SYL) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{name} {rng.choice(SUFFIX)}"


def day_text(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def sentence(rng: random.Random, template: str, published: date) -> str:
    country, authority, city = rng.choice(COUNTRIES)
    when = published + timedelta(days=rng.randint(-60, 120))
    return template.format(
        country=country,
        authority=authority,
        city=city,
        commodity=rng.choice(COMMODITIES),
        c1=company(rng),
        c2=company(rng),
        date=day_text(when),
        duration=rng.choice(DURATIONS),
        month=MONTHS[when.month - 1],
        year=when.year,
        pct=rng.randint(2, 40),
        n=rng.randint(3, 30),
    )


@dataclass(slots=True)
class Page:
    name: str
    html: bytes
    published: str
    title: str


def generated_page(rng: random.Random, index: int) -> Page:
    published = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
    paragraphs = []
    for _ in range(rng.randint(4, 8)):
        chosen = [
            rng.choice(EVENT_TEMPLATES if rng.random() < 0.45 else FILLER_TEMPLATES)
            for _ in range(rng.randint(2, 4))
        ]
        paragraphs.append(" ".join(sentence(rng, t, published) for t in chosen))
    title = sentence(rng, rng.choice(EVENT_TEMPLATES), published).rstrip(".")[:120]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
        f"</title><meta property='article:published_time' content='{published.isoformat()}'>"
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>"
        f"<p class='byline'>Trade desk</p>{body}</article><footer>© Bench News</footer>"
        f"</body></html>"
    )
    return Page(f"g{index:06d}.html", html.encode(), published.isoformat(), title)


def build_pages(n: int, shared_html: Path | None, seed: int = 7, real_every: int = 8) -> list[Page]:
    """N pages: generated ones, with a real corpus page every `real_every`-th when available."""
    rng = random.Random(seed)
    real = sorted(shared_html.glob("*.html")) if shared_html and shared_html.is_dir() else []
    pages: list[Page] = []
    for i in range(n):
        if real and i % real_every == real_every - 1:
            source = real[(i // real_every) % len(real)]
            pages.append(Page(f"r{i:06d}.html", source.read_bytes(), "2024-06-01", source.stem))
        else:
            pages.append(generated_page(rng, i))
    return pages
