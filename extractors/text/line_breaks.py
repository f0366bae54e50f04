"""Line breaks are sentence boundaries: a headline or paragraph never runs into the next line.

trafilatura keeps the <h1> title as the first line of the text, without a full stop, so the
parser would glue "Beijing confirms ... exporters" to the first body sentence and that sentence's
evidence would start with the headline. This component runs before the parser and marks the
first token after every newline as a sentence start; the parser keeps preset boundaries.

The small parser also splits mid-sentence ("... said on Friday that from Sept. 1 | ASML will
need licences"): a token that follows a word with no sentence-final punctuation on the same line
is marked as no sentence start, which the parser respects too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

_FINAL = set(".!?;:\"'”’)]…»") | {"-", "\u2013", "\u2014"}


@Language.factory("tradeline_line_breaks", assigns=["token.is_sent_start"])
def make_line_breaks(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """The component (a factory, so a saved pipeline finds it through the entry point)."""
    return mark_line_starts


def mark_line_starts(doc: Doc) -> Doc:
    """Mark the first non-space token after a newline as a sentence start.

    The marks are written with one `Doc.from_array` call: spaCy's `Token.is_sent_start` setter
    scans the whole doc on every call, which made this component quadratic in article length.
    """
    starts = numpy.zeros((len(doc), 1), dtype="int64")
    after_break = False
    previous = ""
    for tok in doc:
        text = tok.text
        if tok.is_space or not text.strip():
            if "\n" in text or "\n" in tok.whitespace_:
                after_break = True
            continue
        if after_break:
            starts[tok.i, 0] = 1
            after_break = False
        elif tok.i > 0 and previous and previous[-1] not in _FINAL:
            starts[tok.i, 0] = -1
        previous = text
        if "\n" in tok.whitespace_:
            after_break = True
    doc.from_array([SENT_START], starts.astype("uint64"))
    return doc
