"""Resolve one English date expression against a publication date.

dateparser reads absolute dates well ("Dec. 1", "January 1, 2020", "January 2022") and we use
it for those, always with ``languages=['en']`` (language auto-detection costs 70-400 ms a call).
It is wrong or silent on several forms that news uses all the time, so those are hand-written
here, each as a small rule:

* a missing year: dateparser picks the past or the future blindly; we take the most recent
  occurrence that is not too far after publication (a future tense widens that window);
* weekdays: the most recent such day on or before publication unless "next"/"coming"; with a
  month-only publication date, the publication month (so are "today" and "yesterday"; a week
  then resolves to the year, since it may straddle two months);
* "the 2nd": dateparser reads it as February; it is a day of the publication month;
* "early/mid/late October", "the end of last year": modifiers keep the inner granularity;
* "in April this year", "earlier this year", "this/last week", quarters and halves;
* durations ("one-year", "12 months") and vague words must resolve to nothing at all.

The rules that read the date lexicon (month and weekday names, prepositions, modifiers, vague
words) are methods of `DateResolver`, which the dates component builds from its lexicon.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Literal

from tradeline.extractors.dates.lexicon import DateLexicon

Granularity = Literal["day", "month", "year"]
Tense = Literal["past", "future"] | None


@dataclass(frozen=True)
class ResolvedDate:
    """A resolved date at the precision the text supports: YYYY-MM-DD, YYYY-MM or YYYY."""

    value: str
    granularity: Granularity


@dataclass(frozen=True)
class Anchor:
    """The publication date, known to the day or only to the month."""

    day: date  # the date itself, or the last day of the month when only the month is known
    month_only: bool

    @classmethod
    def parse(cls, published: str | None) -> Anchor | None:
        if not published:
            return None
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?\s*", published)
        if not m:
            return None
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            return None
        if m.group(3):
            try:
                return cls(date(y, mo, int(m.group(3))), False)
            except ValueError:
                return None
        return cls(date(y, mo, calendar.monthrange(y, mo)[1]), True)


# --------------------------------------------------------------------------- helpers


def _fmt(d: date, gran: Granularity) -> ResolvedDate:
    if gran == "day":
        return ResolvedDate(d.isoformat(), "day")
    if gran == "month":
        return ResolvedDate(f"{d.year:04d}-{d.month:02d}", "month")
    return ResolvedDate(f"{d.year:04d}", "year")


def _shift_month(y: int, m: int, delta: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + delta
    return idx // 12, idx % 12 + 1


def _week_value(monday: date, ref: date) -> ResolvedDate:
    """GUIDELINES §5: a Monday-Sunday week inside one month is that month, else the year.

    A week across New Year takes the year of the publication date when it lies in that week.
    """
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return _fmt(monday, "month")
    if monday.year != sunday.year and monday <= ref <= sunday:
        return _fmt(ref, "year")
    return _fmt(monday, "year")


_NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|several|few|couple of)"
)
_UNIT = r"(?:day|week|month|year|decade|quarter|hour|minute)s?"
_DURATION_RE = re.compile(
    rf"^(?:about |around |nearly |almost |more than |less than |over |some )?"
    rf"(?:the )?(?:next |past |last |first |final |previous |coming )?"
    rf"{_NUM}[\s-]+(?:full[\s-]+)?{_UNIT}(?:[\s-]+(?:long|old))?$"
)
_OFFSET_RE = re.compile(rf"^{_NUM}[\s-]+{_UNIT}\s+(?:after|before|later|earlier|prior|on)\b")
_AGO_RE = re.compile(rf"^({_NUM})\s+(day|week|month|year)s?\s+ago$")
_ORDINAL_RE = re.compile(r"^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)$")
_QUARTER_RE = re.compile(
    r"^(?:the\s+)?(?:(first|second|third|fourth|1st|2nd|3rd|4th|final|last)\s+quarter|q([1-4]))"
    r"(?:\s+(?:of\s+)?(this|last|next)\s+year|\s*(?:of\s+)?,?\s*'?(\d{4}|\d{2}))?$"
)
_HALF_RE = re.compile(r"^(?:the\s+)?(?:(first|second)\s+half|h([12]))(?:\s+(?:of\s+)?(\d{4}))?$")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d|21\d\d)\b")
_WORD_NUMS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


def normalise(text: str) -> str:
    """Lower-case, straight quotes, single spaces, no possessive or trailing punctuation."""
    t = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u2013", "-")
        .replace("\u2014", "-")
    )
    t = re.sub(r"\s+", " ", t.strip().lower())
    t = re.sub(r"\s*'s$", "", t)
    t = t.strip(" ,;:()[]\"'")
    return t


# --------------------------------------------------------------------------- year choice


def _future_window(gran: Granularity, tense: Tense) -> int:
    """How many days after publication an undated-year date may fall."""
    if tense == "future":
        return 300
    if tense == "past":
        return 0
    return 75 if gran == "day" else 45


def _pick_year(month: int, day: int | None, anchor: Anchor, tense: Tense) -> date | None:
    """Most recent occurrence of month(/day) not further than the window after publication."""
    gran: Granularity = "day" if day else "month"
    limit = anchor.day + timedelta(days=_future_window(gran, tense))
    if anchor.month_only and gran == "day":
        limit = max(limit, anchor.day)
    best = None
    for y in (anchor.day.year - 1, anchor.day.year, anchor.day.year + 1):
        try:
            d = date(y, month, day or 1)
        except ValueError:
            continue
        if d <= limit:
            best = d
    return best


# --------------------------------------------------------------------------- rules


def _relative(t: str, a: Anchor) -> ResolvedDate | None:
    """this/last/next day/week/month/year, earlier/later this ..., N units ago, yesterday."""
    d = a.day
    if t in ("today", "this morning", "this afternoon", "this evening", "tonight"):
        return _fmt(d, "month") if a.month_only else _fmt(d, "day")
    if t in ("yesterday", "yesterday morning", "yesterday afternoon", "yesterday evening"):
        return _fmt(d, "month") if a.month_only else _fmt(d - timedelta(days=1), "day")
    if t in ("tomorrow",):
        return _fmt(d, "month") if a.month_only else _fmt(d + timedelta(days=1), "day")
    m = re.fullmatch(
        r"(?:(earlier|later|late|early|the end of|the start of|the beginning of|the middle of"
        r"|the rest of|end of|start of)\s+)?"
        r"(this|last|next|past|coming|previous|current)\s+(week|month|year|quarter)",
        t,
    )
    if m:
        which, unit = m.group(2), m.group(3)
        if which in ("previous",):
            return None  # "the previous year" is anchored on another date, not on publication
        delta = {"this": 0, "current": 0, "last": -1, "past": -1, "next": 1, "coming": 1}[which]
        if unit == "week":
            if a.month_only:
                return _fmt(d, "year")  # the week may straddle two months: only the year is sure
            monday = d - timedelta(days=d.weekday()) + timedelta(weeks=delta)
            return _week_value(monday, d)
        if unit == "month":
            if which == "past" and not m.group(1):
                return None  # "the past month" is a window, not a month
            y, mo = _shift_month(d.year, d.month, delta)
            return _fmt(date(y, mo, 1), "month")
        if unit == "year":
            if which == "past" and not m.group(1):
                return None
            return _fmt(date(d.year + delta, 1, 1), "year")
        if unit == "quarter":
            y, _ = _shift_month(d.year, d.month, 3 * delta)
            return _fmt(date(y, 1, 1), "year")
    m = _AGO_RE.fullmatch(t)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _WORD_NUMS.get(m.group(1))
        if n is None:
            return None
        unit = m.group(2)
        if unit == "day":
            return None if a.month_only else _fmt(d - timedelta(days=n), "day")
        if unit == "week":
            if a.month_only:
                return None
            back = d - timedelta(weeks=n)
            return _week_value(back - timedelta(days=back.weekday()), d)
        if unit == "month":
            y, mo = _shift_month(d.year, d.month, -n)
            return _fmt(date(y, mo, 1), "month")
        return _fmt(date(d.year - n, 1, 1), "year")
    return None


def _ordinal_day(t: str, a: Anchor, tense: Tense = None) -> ResolvedDate | None:
    """'the 2nd': that day of the publication month, else of the month before (next, if future)."""
    m = _ORDINAL_RE.fullmatch(t)
    if not m:
        return None
    day = int(m.group(1))
    y, mo = a.day.year, a.day.month
    if tense == "future" and a.day.day < day <= calendar.monthrange(y, mo)[1]:
        return _fmt(date(y, mo, day), "day")
    if tense == "future":
        y, mo = _shift_month(y, mo, 1)
        if day <= calendar.monthrange(y, mo)[1]:
            return _fmt(date(y, mo, day), "day")
    for _ in range(3):
        if day <= calendar.monthrange(y, mo)[1]:
            cand = date(y, mo, day)
            if cand <= a.day:
                return _fmt(cand, "day")
        y, mo = _shift_month(y, mo, -1)
    return None


def _quarter(t: str, a: Anchor | None) -> ResolvedDate | None:
    m = _QUARTER_RE.fullmatch(t) or _HALF_RE.fullmatch(t)
    if not m:
        return None
    groups = [g for g in m.groups() if g]
    year_txt = next(
        (g for g in groups if g.isdigit() and len(g) in (2, 4) and not re.fullmatch(r"[1-4]", g)),
        None,
    )
    rel = next((g for g in groups if g in ("this", "last", "next")), None)
    if year_txt:
        y = int(year_txt) if len(year_txt) == 4 else 2000 + int(year_txt)
    elif a is None:
        return None
    else:
        y = a.day.year + {"this": 0, "last": -1, "next": 1, None: 0}[rel]
    return ResolvedDate(f"{y:04d}", "year")


_MONTH_DAY_RE = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?$")
_DAY_MONTH_RE = re.compile(r"^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?$")


@cache
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "RELATIVE_BASE": datetime(2000, 1, 1),
            "STRICT_PARSING": False,
        },
    )


_FULL_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTH_DAY_YEAR = re.compile(r"([a-z]+) (\d{1,2}), (\d{4})")
_MONTH_YEAR = re.compile(r"([a-z]+) (\d{4})")


def _common_format(t: str) -> ResolvedDate | None:
    """ "june 8, 2025" and "june 2025", the two shapes most dates in news take, read directly.

    They are most of the dateparser calls on news (≈1 ms each); the result is what
    `_with_dateparser` gives for them (tests/test_dates.py compares the two over every month and
    day). None hands anything else, invalid days included, to dateparser.
    """
    match = _MONTH_DAY_YEAR.fullmatch(t)
    if match and match.group(1) in _FULL_MONTHS:
        try:
            day = date(int(match.group(3)), _FULL_MONTHS[match.group(1)], int(match.group(2)))
        except ValueError:
            return None
        return _fmt(day, "day")
    match = _MONTH_YEAR.fullmatch(t)
    if match and match.group(1) in _FULL_MONTHS:
        return _fmt(date(int(match.group(2)), _FULL_MONTHS[match.group(1)], 1), "month")
    return None


@lru_cache(maxsize=8192)
def _absolute(t: str) -> ResolvedDate | None:
    """Dates that carry their year: dateparser reads these reliably.

    Memoised: the result depends on `t` alone (fixed RELATIVE_BASE) and is frozen, and news
    repeats the same date strings across sentences and articles.
    """
    if not _YEAR_RE.search(t):
        return None
    if re.fullmatch(r"(?:the\s+)?(?:year\s+)?(1[89]\d\d|20\d\d|21\d\d)", t):
        return ResolvedDate(t[-4:], "year")
    iso = re.fullmatch(r"((?:1[89]|20|21)\d\d)-([01]\d)-([0-3]\d)", t)
    if iso:
        try:
            return _fmt(date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), "day")
        except ValueError:
            return None
    if re.search(r"\b(?:and|to|through|until)\b|\d\s*-\s*\d|[a-z]\s*-\s*[a-z]", t):
        return None  # ranges are handled by the caller, never split or half-read here
    return _common_format(t) or _with_dateparser(t)


def _with_dateparser(t: str) -> ResolvedDate | None:
    """dateparser's reading of a date that carries its year, at the precision written."""
    try:
        data = _parser().get_date_data(t)
    except Exception:  # dateparser raises on some odd inputs; treat them as no date
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    year = _YEAR_RE.search(t)
    if year and d.year != int(year.group(1)):
        return None
    if data.period == "day":
        if not re.search(r"\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", _YEAR_RE.sub("", t)):
            return _fmt(d, "month")
        return _fmt(d, "day")
    if data.period == "month":
        return _fmt(d, "month")
    if data.period == "year":
        return _fmt(d, "year")
    return None


_THE_UNIT = {
    "the year": "this year",
    "the month": "this month",
    "the week": "this week",
    "year": "this year",
    "the decade": "",
    "the century": "",
}


class DateResolver:
    """The rules that read the date lexicon: prepositions, month and weekday names, modifiers,
    vague words. One per date lexicon (`DateTagger.resolver`)."""

    def __init__(self, lexicon: DateLexicon) -> None:
        self.lexicon = lexicon

    def strip_preposition(self, t: str) -> str:
        """Drop one leading preposition ("on", "starting from", "back in" ...), then "the"."""
        for prep in sorted(self.lexicon.leading_prepositions, key=len, reverse=True):
            if t.startswith(prep + " "):
                t = t[len(prep) + 1 :]
                break
        return t

    def _month_of(self, word: str) -> int | None:
        return self.lexicon.months.get(word.rstrip("."))

    def _weekday(self, t: str, a: Anchor, tense: Tense = None) -> ResolvedDate | None:
        """Most recent such day on or before publication, whatever the tense (GUIDELINES §5:
        "will lift the ban from Monday" too); the coming one after "next" or "coming"."""
        m = re.fullmatch(
            r"(?:(last|next|this|coming|this coming|this past|past)\s+)?([a-z]+)\.?"
            r"(?:\s+(?:morning|afternoon|evening|night))?",
            t,
        )
        if not m:
            return None
        wd = self.lexicon.weekdays.get(m.group(2))
        if wd is None:
            return None
        if a.month_only:
            # a day near an unknown publication day: the publication month (eval/trade gold)
            return _fmt(a.day, "month")
        d, which = a.day, m.group(1)
        if which in ("next", "coming", "this coming"):
            ahead = (wd - d.weekday()) % 7 or 7
            return _fmt(d + timedelta(days=ahead), "day")
        back = (d.weekday() - wd) % 7
        if which == "last" and back == 0:
            back = 7
        return _fmt(d - timedelta(days=back), "day")

    def _month_with_relative_year(self, t: str, a: Anchor) -> ResolvedDate | None:
        """'April this year', 'April of last year', 'last April', 'this April'."""
        m = re.fullmatch(r"([a-z]+)\.?,?\s+(?:of\s+)?(this|last|next)\s+year", t)
        if m and self._month_of(m.group(1)):
            y = a.day.year + {"this": 0, "last": -1, "next": 1}[m.group(2)]
            return _fmt(date(y, self._month_of(m.group(1)) or 1, 1), "month")
        m = re.fullmatch(r"(last|this|next)\s+([a-z]+)\.?", t)
        if m and self._month_of(m.group(2)):
            mo = self._month_of(m.group(2)) or 1
            y = a.day.year
            if m.group(1) == "last":
                y = y if mo < a.day.month else y - 1
            elif m.group(1) == "next":
                y = y if mo > a.day.month else y + 1
            return _fmt(date(y, mo, 1), "month")
        return None

    def _undated_year(self, t: str, a: Anchor, tense: Tense) -> ResolvedDate | None:
        """'Dec. 1', '1 December', 'the 1st of December', 'October': infer the year."""
        m = _MONTH_DAY_RE.fullmatch(t)
        if m and self._month_of(m.group(1)):
            mo, day = self._month_of(m.group(1)) or 1, int(m.group(2))
        else:
            m = _DAY_MONTH_RE.fullmatch(t)
            if m and self._month_of(m.group(2)):
                mo, day = self._month_of(m.group(2)) or 1, int(m.group(1))
            else:
                mo = self._month_of(t) if re.fullmatch(r"[a-z]+\.?", t) else None
                if not mo:
                    return None
                d = _pick_year(mo, None, a, tense)
                return _fmt(d, "month") if d else None
        if not 1 <= day <= 31:
            return None
        d = _pick_year(mo, day, a, tense)
        return _fmt(d, "day") if d else None

    def _modified(self, t: str, a: Anchor | None, tense: Tense) -> ResolvedDate | None:
        """'early April', 'mid-2024', 'the end of last year': the inner expression's own
        precision."""
        mods = sorted(self.lexicon.modifiers, key=len, reverse=True)
        for mod in mods:
            for sep in (" ", "-", " - "):
                if t.startswith(mod + sep):
                    inner = t[len(mod) + len(sep) :].strip()
                    inner = _THE_UNIT.get(inner, inner)
                    res = self.resolve(inner, a, tense)
                    if res is None:
                        return None
                    if res.granularity == "day":
                        return ResolvedDate(res.value[:7], "month")
                    return res
        return None

    def _season(self, t: str) -> ResolvedDate | None:
        """'Fall 2022', 'the spring of 2021': the year (GUIDELINES §5: a season alone, as in
        "this summer", is vague; its explicit year is not)."""
        seasons = "|".join(self.lexicon.seasons)
        m = re.fullmatch(rf"(?:the\s+)?(?:{seasons})(?:\s+of)?\s+((?:1[89]|20)\d\d)", t)
        return ResolvedDate(m.group(1), "year") if m else None

    def is_duration_or_vague(self, t: str) -> bool:
        """True for "one-year", "12 months", "a day after", "recently", "in recent months" ..."""
        lex = self.lexicon
        if t in lex.vague or self.strip_preposition(t) in lex.vague:
            return True
        bare = self.strip_preposition(t)
        return bool(
            _DURATION_RE.fullmatch(bare) or _OFFSET_RE.match(bare) or _DURATION_RE.fullmatch(t)
        )

    def resolve(self, t: str, a: Anchor | None, tense: Tense = None) -> ResolvedDate | None:
        """Resolve an already normalised expression; see the module docstring for the rules."""
        t = self.strip_preposition(t)
        if not t or self.is_duration_or_vague(t) or re.search(r"[$€£¥%]|\d,\d{3}", t):
            return None  # amounts, not dates
        res = self._season(t) or _quarter(t, a) or self._modified(t, a, tense) or _absolute(t)
        if res or a is None:
            return res
        res = _relative(t, a) or self._weekday(t, a, tense) or _ordinal_day(t, a, tense)
        return res or self._month_with_relative_year(t, a) or self._undated_year(t, a, tense)

    def resolve_expression(
        self, text: str, published: str | None, *, tense: Tense = None
    ) -> ResolvedDate | None:
        """Resolve one date expression against the publication date.

        ``published`` is YYYY-MM-DD or YYYY-MM; None resolves absolute dates only. ``tense``
        ("past" or "future", from the governing verb) only decides the year of dates written
        without one. Returns None for durations, offsets, vague words and anything that is not
        a date.
        """
        if not isinstance(text, str) or len(text) > 200:
            return None
        t = normalise(text)
        if not t or not re.search(r"[a-z0-9]", t):
            return None
        try:
            return self.resolve(t, Anchor.parse(published), tense)
        except (ValueError, OverflowError):
            return None
