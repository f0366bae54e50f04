"""The words the company filter reads about one firm the rules found (one cluster of mentions).

The rules propose firms with high recall; what they confuse with firms (agencies, outlets,
places, people, products, programmes, headings) shows in the name's own words and shape, in
which rule proposed it, in the NER label, and in the words around its mentions: "regulator X",
"X reported", "X-based", "shipments of X", "X, the managing director". The classifier
(extractors/companies/filter.py) learns from annotated articles which of these make a firm.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from tradeline.extractors.text.doc_cache import doc_text, entity_label

MAX_MENTIONS = 4  # context words from the first few mentions: later ones repeat the pattern
APPOSITION = 6  # words read after "X, ..."


def _word(tok: Token) -> str:
    if tok.is_space or "\n" in tok.text:
        return "<nl>"
    if tok.like_num:
        return "#num"
    return tok.lower_


def _shape(span: Span) -> str:
    """'Xx', 'XX', 'Xx9', 'xX' per word, joined: the name's case and digit pattern."""
    out = []
    for tok in span:
        text = tok.text
        if not any(c.isalnum() for c in text):
            out.append("p")
        elif any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
            out.append("X9")
        elif text.isupper():
            out.append("XX" if len(text) > 1 else "X")
        elif text[:1].isupper():
            out.append("Xx")
        elif text[:1].isdigit():
            out.append("9")
        else:
            out.append("x")
    return "-".join(out[:4])


def in_heading(doc: Doc, span: Span) -> bool:
    """The mention stands in a short line without closing punctuation whose words are
    capitalised: a title or section heading ("Strategic Materials Covered")."""
    text = doc_text(doc)
    start = text.rfind("\n", 0, span.start_char) + 1
    end = text.find("\n", span.end_char)
    line = text[start : len(text) if end < 0 else end].strip()
    words = [w for w in line.split() if w[:1].isalpha()]
    if not words or len(words) > 14 or line[-1:] in ".!?\"”'’:;,":
        return False
    capitalised = sum(w[:1].isupper() for w in words)
    return capitalised >= max(2, 0.7 * len(words))


def mention_features(doc: Doc, span: Span) -> list[str]:
    """Context of one mention: neighbour words, apposition words, syntax, NER label."""
    out = []
    before = [t for t in doc[max(0, span.start - 3) : span.start] if not t.is_space]
    b1 = _word(doc[span.start - 1]) if span.start > 0 else "<s>"
    out.append(f"b1={b1}")
    out.extend(f"b={_word(t)}" for t in before)
    after = doc[span.end : min(len(doc), span.end + 2)]
    a1 = _word(after[0]) if len(after) else "</s>"
    out.append(f"a1={a1}")
    if len(after) == 2:
        out.append(f"a12={a1}_{_word(after[1])}")
    if a1 == ",":
        for tok in doc[span.end + 1 : span.end + 1 + APPOSITION]:
            if tok.text in (",", ".", ";", ")", "(") or "\n" in tok.text:
                break
            if tok.pos_ in ("NOUN", "PROPN", "ADJ"):
                out.append(f"app={tok.lower_}")
    root = span.root
    out.append(f"dep={root.dep_}")
    if root.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "poss", "compound", "appos"):
        out.append(f"dep_head={root.dep_}:{root.head.lemma_.lower()}")
    if root.dep_ == "pobj":
        out.append(f"prep_head={root.head.lower_}:{root.head.head.lemma_.lower()}")
    ents = {t.ent_type_ or "O" for t in span}
    out.extend(f"ent={e}" for e in sorted(ents))
    exact = entity_label(doc, span.start, span.end)
    out.append(f"ent_exact={exact or 'none'}")
    if b1 == "<s>" or b1 == "<nl>":
        out.append("line_start")
    if in_heading(doc, span):
        out.append("heading")
    return out


def firm_features(
    doc: Doc,
    mentions: Sequence[Span],
    cues: Sequence[str],
    full: Span,
    *,
    legal: set[str],
    heads: set[str],
    demonyms: set[str],
) -> list[str]:
    """Feature words of one firm candidate: its name, how it was found, and its contexts."""
    words = [t for t in full if not t.is_space]
    lowers = [t.lower_ for t in words]
    out = [f"cue={c}" for c in sorted(set(cues))]
    out.append("cues=" + "+".join(sorted(set(cues))))
    out.append(f"mentions={min(len(mentions), 4)}")
    out.append(f"count={min(doc_text(doc).count(full.text), 4)}")
    out.append(f"len={min(len(words), 5)}")
    out.append(f"shape={_shape(full)}")
    out.extend(f"nw={w}" for w in lowers)
    if lowers:
        out.append(f"head={lowers[-1]}")
        out.append(f"first={lowers[0]}")
    if any(w in legal for w in lowers):
        out.append("legal")
    if any(w in heads for w in lowers[1:]):
        out.append("headword")
    if any(t.text in demonyms for t in words):
        out.append("demonym")
    if any(c.isdigit() for c in full.text):
        out.append("digit")
    if len(words) == 1 and full.text.isupper():
        out.append("acronym")
    headings = 0
    for span in mentions[:MAX_MENTIONS]:
        feats = mention_features(doc, span)
        headings += "heading" in feats
        out.extend(feats)
    if headings and headings == min(len(mentions), MAX_MENTIONS):
        out.append("only_heading")
    return out
