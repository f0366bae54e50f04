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

from spacy.language import Language
from spacy.tokens import Doc

_FINAL = set(".!?;:\"'”’)]…»") | {"-", "\u2013", "\u2014"}


@Language.component("tradeline_line_breaks")
def mark_line_starts(doc: Doc) -> Doc:
    """Set `is_sent_start` on the first non-space token after a newline."""
    after_break = False
    previous = ""
    for tok in doc:
        if tok.is_space or not tok.text.strip():
            if "\n" in tok.text or "\n" in tok.whitespace_:
                after_break = True
            continue
        if after_break:
            tok.is_sent_start = True
            after_break = False
        elif tok.i > 0 and previous and previous[-1] not in _FINAL:
            tok.is_sent_start = False
        previous = tok.text
        if "\n" in tok.whitespace_:
            after_break = True
    return doc
