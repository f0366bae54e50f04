"""Is a page's extracted text an article, or only its navigation?

trafilatura falls back to whatever text a page has; on a page with no article (a section front,
a consent wall, a 'moved' stub) that can be the menu: "Home", "Home | World | Business". Such a
page is not stored as an article (`flows/steps.parse_documents` records it as a page error).

Hand-written, as no library answers this on extracted text, and kept narrow: only a short text
(under 300 characters) with no line that reads as prose is taken for navigation. Prose is a
sentence (three words or more, or ten CJK characters, ending in sentence punctuation) or a long
line (twelve words or more) that is not a row of links ('|' or '•' between the items). Longer
texts are left alone, list pages included: telling those from articles is not this check's job.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’»)\]]*$")
_LINK_SEPARATORS = re.compile(r"\s[|•·»]\s")
MIN_SENTENCE_WORDS = 3
MIN_SENTENCE_CHARS = 10  # CJK characters, for scripts written without spaces between words
MIN_PROSE_WORDS = 12
MAX_NAVIGATION_CHARS = 300


def is_navigation_only(text: str) -> bool:
    """True when `text` is short and no line of it reads as prose (see the module docstring)."""
    if len(text.strip()) >= MAX_NAVIGATION_CHARS:
        return False
    return not any(_is_prose(line.strip()) for line in text.splitlines())


def _is_prose(line: str) -> bool:
    if not line:
        return False
    words = line.split()
    if _SENTENCE_END.search(line):
        wide = sum(1 for ch in line if ord(ch) > 0x2E7F)  # CJK and other spaceless scripts
        if len(words) >= MIN_SENTENCE_WORDS or wide >= MIN_SENTENCE_CHARS:
            return True
    return len(words) >= MIN_PROSE_WORDS and not _LINK_SEPARATORS.search(line)
