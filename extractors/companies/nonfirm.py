"""Names the text itself marks as no firm, found before the company rules run.

Real reports name agencies, outlets, places and people in the same shapes as firms; the words
around the name say which it is, as exactly as a legal suffix says "firm":

- a non-firm descriptor right before the name or heading its apposition: "the newspaper X",
  "regulator X", "industry group X", "X, the state minerals regulator," (companies lexicon
  `non_company_descriptors`);
- a person's title in front ("its chairman, X") or heading the apposition ("X, the
  federation's managing director");
- a place: "X-based", "X-listed", "Santa Clara, California-based ...", "based in X";
- an acronym spelled out as an agency: "ARECOMS (Authority for the Regulation ...)": the
  acronym and its expansion;
- a wire credit after a dateline: "JAKARTA, NNA - ...";
- an office, a government or a programme: "the Trade minister", "Jokowi's administration",
  "the VEU program";
- a site of a firm: "Lukoil's NORSI oil refinery".

`nonfirm_tokens` returns the token indices of such names; a name marked once is no firm
anywhere in the article.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Token

from tradeline.extractors.text.datelines import starts_dateline
from tradeline.extractors.text.doc_cache import doc_lowers

DASHES = ("-", "—", "–")
POSSESSIVES = ("'s", "’s")
NP_TAGS = {"DET", "ADJ", "PROPN", "NOUN", "NUM", "PART", "ADV"}


@dataclass(frozen=True)
class NonFirmWords:
    """The word lists the cues read (companies lexicon and orgs heads)."""

    descriptors: frozenset[str]  # single words: regulator, newspaper ...
    descriptor_pairs: frozenset[tuple[str, str]]  # industry group, news agency ...
    titles: frozenset[str]  # person titles: chairman, director ...
    place_suffixes: frozenset[str]  # based, listed, headquartered
    place_cues: frozenset[tuple[str, ...]]  # based in, located in
    agency_heads: frozenset[str]  # authority, agency, ministry ... (an expansion's first word)
    government_titles: frozenset[str]  # "the Trade minister"
    government_nouns: frozenset[str]  # "Jokowi's administration"
    asset_nouns: frozenset[str]  # "Lukoil's NORSI oil refinery"
    term_nouns: frozenset[str]  # "the VEU program"
    firm_words: frozenset[str] = frozenset()  # legal suffixes and firm head words: Ltd, Mining


def _capitalised(tok: Token) -> bool:
    return tok.text[:1].isupper() and not tok.is_space


def _name_after(doc: Doc, i: int) -> list[int]:
    """Indices of the capitalised name starting at `i` (joined by '&', '-', 'of', 'de')."""
    out: list[int] = []
    k = i
    while k < len(doc) and k < i + 8:
        tok = doc[k]
        joiner = tok.lower_ in ("&", "of", "de", "-") and k + 1 < len(doc)
        if not (
            _capitalised(tok)
            or (tok.is_upper and tok.is_alpha)
            or (out and joiner and _capitalised(doc[k + 1]))
        ):
            break
        out.append(k)
        k += 1
    return out


def _name_before(doc: Doc, end: int) -> list[int]:
    """Indices of the capitalised name ending right before `end`."""
    out: list[int] = []
    k = end - 1
    while k >= 0 and k >= end - 6 and (_capitalised(doc[k]) or doc[k].lower_ in ("of", "de")):
        out.append(k)
        k -= 1
    while out and not _capitalised(doc[out[-1]]):
        out.pop()
    return sorted(out)


def _apposition_head(doc: Doc, comma: int) -> Token | None:
    """The head noun of the noun phrase after 'X,' ("the state minerals regulator",
    "the country's regulator for ...", "the National Federation's managing director"); None
    when a verb follows the phrase ("X, the ministry said": the phrase is a subject)."""
    head = None
    for tok in doc[comma + 1 : comma + 9]:
        if tok.pos_ not in NP_TAGS and tok.tag_ != "POS" and tok.text not in ("-", "'s", "’s"):
            if tok.pos_ in ("VERB", "AUX"):
                return None
            break
        if tok.pos_ in ("NOUN", "PROPN"):
            head = tok
    return head


class NonFirmCues:
    """Finds the names the text marks as no firm (see module docstring)."""

    def __init__(self, words: NonFirmWords) -> None:
        self.w = words

    def _site_follows(self, doc: Doc, k: int) -> bool:
        """A site noun at `k`, or after one lower-case word ("oil refinery", "mine")."""
        for tok in doc[k : k + 2]:
            if not tok.is_lower:
                return False
            if tok.lower_ in self.w.asset_nouns:
                return True
        return False

    def _title_determined(self, doc: Doc, i: int) -> bool:
        """'its chairman', 'the company's chief executive': a title after a determiner."""
        j = i - 1
        while j >= 0 and doc[j].lower_ in self.w.titles:
            j -= 1
        return j >= 0 and (doc[j].tag_ in ("PRP$", "POS") or doc[j].lower_ == "the")

    def _descriptor_ends(self, doc: Doc, i: int) -> bool:
        """A non-firm descriptor ends at token `i` ('newspaper', 'industry group')."""
        tok = doc[i]
        if not tok.is_lower:
            return False
        if tok.lower_ in self.w.descriptors:
            return True
        return i > 0 and (doc[i - 1].lower_, tok.lower_) in self.w.descriptor_pairs

    @cached_property
    def _triggers(self) -> frozenset[str]:
        """The words at which some cue can start (one set test per token, then the cue)."""
        w = self.w
        return frozenset(
            set(w.descriptors)
            | {pair[1] for pair in w.descriptor_pairs}
            | set(w.titles)
            | set(w.government_titles)
            | set(w.term_nouns)
            | {cue[0] for cue in w.place_cues}
            | set(DASHES)
            | set(POSSESSIVES)
            | {",", "("}
        )

    def __call__(self, doc: Doc) -> set[int]:
        marked: set[int] = set()  # agencies, outlets, people: no firm anywhere in the article
        places: set[int] = set()  # places: only here ("Shenzhen-listed", "Shenzhen Kaifa")
        lowers = doc_lowers(doc)
        triggers = self._triggers
        for i, low in enumerate(lowers):
            if "\n" in low and i + 1 < len(lowers):
                marked |= self._dateline_credit(doc, i + 1)
            if low in triggers:
                self._cues_at(doc, lowers, i, marked, places)
        if lowers:
            marked |= self._dateline_credit(doc, 0)
        return self._everywhere(doc, lowers, marked) | places

    def _cues_at(
        self, doc: Doc, lowers: list[str], i: int, marked: set[int], places: set[int]
    ) -> None:
        """The cues that can start at token `i` (its lower-case form is a trigger word)."""
        w, n, low = self.w, len(lowers), lowers[i]
        nxt = lowers[i + 1] if i + 1 < n else ""
        # "regulator X", "the newspaper X", "industry group X"
        if nxt and _capitalised(doc[i + 1]) and self._descriptor_ends(doc, i):
            marked.update(_name_after(doc, i + 1))
        # "its chairman, X"
        if (
            low in w.titles
            and nxt == ","
            and i + 2 < n
            and doc[i].is_lower
            and _capitalised(doc[i + 2])
            and self._title_determined(doc, i)
        ):
            marked.update(_name_after(doc, i + 2))
        # "X, the state minerals regulator," / "X, the federation's managing director"
        if low == "," and i > 0 and _capitalised(doc[i - 1]):
            head = _apposition_head(doc, i)
            if (
                head is not None
                and head.is_lower
                and (self._descriptor_ends(doc, head.i) or head.lower_ in w.titles)
            ):
                marked.update(_name_before(doc, i))
        # "X-based", "Santa Clara, California-based"
        if low in DASHES and nxt in w.place_suffixes:
            place = _name_before(doc, i)
            places.update(place)
            if place and place[0] >= 2 and lowers[place[0] - 1] == ",":
                city = _name_before(doc, place[0] - 1)  # "Santa Clara, California-based"
                if city and (
                    all(doc[k].ent_type_ in ("GPE", "LOC") for k in city)
                    or (
                        all(doc[k].ent_type_ in ("GPE", "LOC") for k in place)
                        and not any(doc[k].lower_ in w.firm_words for k in city)
                    )
                ):
                    places.update(city)  # the city before a state or country: "Marquette, Michigan"
        # "based in X", "located in X"
        for cue in w.place_cues:
            k = len(cue)
            if i + k < n and tuple(lowers[i : i + k]) == cue:
                places.update(_name_after(doc, i + k))
        # "ARECOMS (Authority for the Regulation and Control of ...)"
        if low == "(" and i > 0 and i + 1 < n and nxt in w.agency_heads:
            acronym = doc[i - 1]
            if acronym.is_upper and acronym.is_alpha and 2 <= len(acronym.text) <= 8:
                marked.add(i - 1)
                k = i
                while k < n and k < i + 24 and lowers[k] != ")":
                    marked.add(k)
                    k += 1
        # "the Trade minister", "the VEU program"
        if i > 0 and (low in w.government_titles or low in w.term_nouns) and doc[i].is_lower:
            name = doc[i - 1]
            if _capitalised(name) and (nxt == "" or not _capitalised(doc[i + 1])):
                if low in w.government_titles:
                    places.update(_name_before(doc, i))
                elif low in w.term_nouns and name.is_upper:
                    marked.add(i - 1)
        if low in POSSESSIVES and doc[i].tag_ == "POS":
            # "Jokowi's administration"
            if nxt in w.government_nouns and i > 0 and _capitalised(doc[i - 1]):
                places.update(_name_before(doc, i))
            # "Lukoil's NORSI oil refinery": a name after a possessive, before a site noun
            if nxt and _capitalised(doc[i + 1]):
                name = _name_after(doc, i + 1)
                if self._site_follows(doc, name[-1] + 1):
                    places.update(name)

    def _dateline_credit(self, doc: Doc, start: int) -> set[int]:
        """'JAKARTA, NNA - ...': the agency credited after the dateline's place at `start`."""
        if not starts_dateline(doc, start):
            return set()
        k = start + 1
        while k < len(doc) and doc[k].is_upper and doc[k].is_alpha:
            k += 1
        if (
            k + 2 < len(doc)
            and doc[k].text == ","
            and doc[k + 1].is_upper
            and doc[k + 1].is_alpha
            and doc[k + 2].text in DASHES
        ):
            return {k + 1}
        return set()

    def _everywhere(self, doc: Doc, lowers: list[str], marked: set[int]) -> set[int]:
        """A one-word name marked once is no firm wherever it recurs in the article."""
        words = {doc[i].text for i in marked if doc[i].is_upper and len(doc[i].text) > 1}
        singles = {
            doc[i].text
            for i in marked
            if (i == 0 or i - 1 not in marked) and (i + 1 >= len(doc) or i + 1 not in marked)
        }
        words |= {w for w in singles if w[:1].isupper()}
        if not words:
            return marked
        folded = {w.lower() for w in words}
        return marked | {
            i for i, low in enumerate(lowers) if low in folded and doc[i].text in words
        }
