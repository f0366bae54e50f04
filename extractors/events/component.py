"""spaCy component `tradeline_events`: event trigger mentions.

The trigger lexicon (models/data/events/triggers.json) pairs verb or nominalisation classes
with object classes ("grant" x "licence" -> permit_issued, "reversal" x "ban" -> ban_lifted). It
is compiled into dependency templates (events/dep_templates.py: verb->object,
verb->prep->object, object->acl/relcl verb, noun->prep->object) and, because the small model's
parse is often wrong, into surface Matcher patterns over lemmas with short gaps. Hand-written
token patterns (events/patterns.jsonl) add wordings that are not verb-object pairs ("shall not
be permitted", "added ... to its export control list").

Sets ``doc.spans["tl_triggers"]``: one-token spans on the trigger word, label = event type,
``kb_id_`` = rule id (with ``:subtype`` when the rule names one); and, in the same order,
``doc.spans["tl_trigger_objects"]``: the object word of each trigger (the trigger itself when
the rule has no object). Whether a trigger states a real action is decided later
(events/facts.py), with the cue words this component also owns (events/cues.json, `cues`).
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import numpy
from spacy.attrs import LEMMA
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from tradeline.extractors.component_data import DataComponent, DataFile
from tradeline.extractors.events.anaphora import RULE as ANAPHORIC_RULE
from tradeline.extractors.events.anaphora import AnaphoricControls
from tradeline.extractors.events.clause_link import clause_objects
from tradeline.extractors.events.control_lists import ControlListMoves
from tradeline.extractors.events.dep_templates import (
    DepTemplates,
    DepVocab,
    company_object,
    lemma_object,
)
from tradeline.extractors.events.lexicon import (
    EventCues,
    EventRule,
    EventTriggers,
    PatternRule,
    Words,
)
from tradeline.extractors.events.participles import repair_passives
from tradeline.extractors.events.verb_noun_swaps import repair_swaps
from tradeline.extractors.text.doc_cache import sentences
from tradeline.extractors.text.gated_matcher import GatedMatcher

NAME = "tradeline_events"
TRIGGERS = "tl_triggers"
TRIGGER_OBJECTS = "tl_trigger_objects"


# The words of a short adverbial between commas: no verb, relative word or punctuation.
PARENTHETICAL: dict[str, Any] = {
    "TAG": {"NOT_IN": ["VB", "VBD", "VBZ", "VBP", "VBG", "MD", "WDT", "WP", "WRB", "CC"]},
    "IS_PUNCT": False,
    "OP": "{1,5}",
}


def _object_forms(words: list[str]) -> list[str]:
    """An object's lemmas, and their capitalised forms: in a name ("General License 41", "the
    AI Diffusion Rule") the small model tags the word PROPN and keeps it as its own lemma."""
    caps = [w[:1].upper() + w[1:] for w in words]
    return [*words, *caps, *(c + "s" for c in caps)]


def _gap(n: int, spec: EventTriggers) -> dict[str, Any]:
    """Up to `n` tokens that cross no clause or phrase boundary (triggers.json gap_tags/words)."""
    return {
        "TAG": {"NOT_IN": list(spec.gap_tags)},
        "LOWER": {"NOT_IN": list(spec.gap_words)},
        "OP": f"{{0,{n}}}",
    }


@Language.factory(
    NAME,
    assigns=["doc.spans"],
    requires=["doc.ents", "doc.sents", "token.pos", "token.tag", "token.dep", "token.lemma"],
)
def make_event_tagger(nlp: Language, name: str) -> EventTagger:
    return EventTagger(nlp, name)


class EventTagger(DataComponent):
    """Finds trigger/object pairs; see the module docstring."""

    FILES: ClassVar[dict[str, str]] = {"triggers": ".json", "patterns": ".jsonl", "cues": ".json"}

    def initialize(
        self,
        get_examples: object = None,
        *,
        nlp: Language | None = None,
        triggers: str,
        patterns: str,
        cues: str,
    ) -> None:
        """Read the trigger lexicon, the extra patterns and the cue words (paths from
        models/pipeline.toml)."""
        self._read(triggers=triggers, patterns=patterns, cues=cues)

    def _load(self, files: dict[str, DataFile]) -> None:
        nlp = self.nlp
        self.cues = files["cues"].parse(EventCues)
        spec = files["triggers"].parse(EventTriggers)
        self.spec = spec
        self.weak = set(spec.weak_objects)
        self.qualifiers = set(spec.object_qualifiers)
        self.sentence_qualified = set(spec.sentence_qualified_objects)
        self.definite = set(spec.definite_determiners)
        retype = spec.retype_by_modifier
        self.retype_from = set(retype.from_)
        self.retype_to = retype.to
        self.retype_mods = set(retype.modifiers)
        state = spec.dated_state
        self.state_nouns: dict[str, str] = state.nouns
        # their lemma ids, to find them in a doc's LEMMA array (_dated_states)
        self.state_ids = numpy.array(
            [nlp.vocab.strings.add(lemma) for lemma in state.nouns], dtype="uint64"
        )
        self.state_deps = set(state.deps)
        self.state_rules = frozenset(self.cues.state_rules)
        self.state_preps = set(state.preps)
        self.rules: dict[str, EventRule] = {}
        self.verbs = {v for words in spec.verb_classes.values() for v in words} | {
            v for rule in spec.rules if isinstance(rule.verbs, list | tuple) for v in rule.verbs
        }  # every trigger verb: a passive participle tagged ADJ is re-read as one
        self.objects = {w for words in spec.object_classes.values() for w in words}
        self.dep = DepTemplates(
            DepVocab(
                object_deps=frozenset(spec.object_deps),
                prep_objects=frozenset(spec.prep_objects),
                noun_preps=frozenset(spec.noun_preps),
            )
        )
        self.surface = GatedMatcher(nlp.vocab)
        for rule in spec.rules:
            self.rules[rule.id] = rule
            self._compile(rule)
        self._permit_links(spec)
        self.anaphoric = AnaphoricControls(nlp.vocab, spec.control_anaphora)
        self.list_moves = ControlListMoves(nlp.vocab, spec.control_lists)
        self.extra = GatedMatcher(nlp.vocab)
        self.extra_rules: dict[str, PatternRule] = {}
        for row in files["patterns"].rows(PatternRule):
            self.extra_rules[row.id] = row
            self.extra.add(row.id, [row.pattern])

    def _permit_links(self, spec: EventTriggers) -> None:
        """Per verb lemma, the permit rules (and their object forms) the clause-span fallback
        (events/clause_link.py) may link; their lemma ids find the verbs in a doc."""
        self.permit_verbs: dict[str, list[tuple[EventRule, frozenset[str]]]] = {}
        for rule in spec.rules:
            objects = self._words(rule.objects, spec.object_classes)
            if not rule.type.startswith("permit_") or rule.nouns is not None:
                continue
            if rule.recipient_xcomp:
                continue
            if objects is None or objects == ["@company"]:
                continue
            forms = frozenset(_object_forms(objects))
            for verb in self._words(rule.verbs, spec.verb_classes) or []:
                self.permit_verbs.setdefault(verb, []).append((rule, forms))
        self.permit_verb_ids = numpy.array(
            [self.nlp.vocab.strings.add(v) for v in self.permit_verbs], dtype="uint64"
        )

    # ------------------------------------------------------------------ compile
    def _words(self, ref: Words, classes: dict[str, tuple[str, ...]]) -> list[str] | None:
        if ref is None:
            return None
        if isinstance(ref, str):
            return list(classes[ref])
        return list(ref)

    def _compile(self, rule: EventRule) -> None:
        spec = self.spec
        rid = rule.id
        objects = self._words(rule.objects, spec.object_classes)
        company_obj = objects == ["@company"]
        if objects is not None and not company_obj:
            objects = _object_forms(objects)
        obj_attrs: dict[str, Any] = (
            {"_": {"tl_company": True}} if company_obj else {"LEMMA": {"IN": objects or []}}
        )
        is_object = company_object if company_obj else lemma_object(objects or [])
        if rule.nouns is not None:
            nouns = self._words(rule.nouns, spec.noun_classes) or []
            trig = {"LEMMA": {"IN": nouns}, "POS": "NOUN"}
            self.dep.add(f"{rid}#noun", "noun", nouns, "NOUN", is_object)
            self.surface.add(
                rid,
                [
                    [
                        trig,
                        _gap(4, spec),
                        {"LOWER": {"IN": list(spec.noun_preps)}},
                        _gap(4, spec),
                        {**obj_attrs, "POS": {"IN": ["NOUN", "PROPN", "VERB"]}},
                    ]
                ],
            )
            return
        verbs = self._words(rule.verbs, spec.verb_classes) or []
        trig = {"LEMMA": {"IN": verbs}, "POS": "VERB"}
        if rule.recipient_xcomp:
            self.dep.add(f"{rid}#recipient", "recipient", verbs, "VERB", is_object)
            return
        if objects is None:
            self.dep.add(f"{rid}#alone", "alone", verbs, "VERB", is_object)
            return
        for template in ("obj", "prep", "of", "clause"):
            self.dep.add(f"{rid}#{template}", template, verbs, "VERB", is_object)
        if rule.through_xcomp:
            # "requiring vaccine makers to seek permission", "require exporters to obtain a licence"
            self.dep.add(f"{rid}#xcomp", "xcomp", verbs, "VERB", is_object)
        if company_obj:
            return
        obj_tok = {**obj_attrs, "POS": {"IN": ["NOUN", "PROPN"]}}
        self.surface.add(
            rid,
            [
                [trig, _gap(6, spec), obj_tok],
                # "imposed, in April, requirements for permits": an adverbial set off by commas
                [trig, {"LOWER": ","}, PARENTHETICAL, {"LOWER": ","}, _gap(3, spec), obj_tok],
                [
                    obj_tok,
                    {"POS": {"IN": ["AUX", "ADV", "PART"]}, "OP": "{0,4}"},
                    {**trig, "TAG": "VBN"},
                ],
                # "controls first revealed on October 9 would be delayed": a passive whose
                # subject is separated from it by a reduced relative clause.
                [
                    obj_tok,
                    {"IS_PUNCT": False, "OP": "{1,8}"},
                    {"TAG": "MD", "OP": "?"},
                    {"LOWER": {"IN": ["be", "been", "being", "is", "are", "was", "were"]}},
                    {**trig, "TAG": "VBN"},
                ],
            ],
        )

    # ------------------------------------------------------------------ run
    def _surface_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The surface patterns sentence by sentence (a kept match has its trigger and object
        in one sentence, so it lies inside one)."""
        return self._by_sentence(self.surface, doc)

    @staticmethod
    def _by_sentence(matcher: GatedMatcher, doc: Doc) -> list[tuple[int, int, int]]:
        """A gated matcher run sentence by sentence, each sentence with only the rules whose
        words it holds: far fewer than the whole article holds, and the Matcher's cost is per
        rule and token. Matches come back in whole-doc order with doc token offsets; a
        pattern never matches across a sentence end."""
        matches: list[tuple[int, int, int]] = []
        ids = matcher.word_ids(doc)
        for sent in sentences(doc):
            start = sent.start
            found = matcher(sent, ids[start : sent.end])
            matches.extend((mid, start + s, start + e) for mid, s, e in found)
        return matches

    def __call__(self, doc: Doc) -> Doc:
        self._check_loaded()
        repair_passives(doc, self.nlp, self.verbs)  # "the ban was partly reversed" (JJ)
        repair_swaps(doc, self.verbs, self.objects)  # "that tightens (NNS) controls (VBZ)"
        found: dict[tuple[int, str], tuple[Token, Token, str]] = {}
        for key, names, token_ids in self.dep(doc):
            rule = self.rules[key.split("#", 1)[0]]
            trig = doc[token_ids[names.index("trig")]]
            obj = doc[token_ids[names.index("obj")]] if "obj" in names else trig
            self._keep(found, rule, trig, obj)
        for mid, start, end in self._surface_matches(doc):
            rid = doc.vocab.strings[mid]
            rule = self.rules[rid]
            span = doc[start:end]
            trig, obj = self._surface_ends(rule, span)
            if trig is not None and obj is not None and trig.sent == obj.sent:
                self._keep(found, rule, trig, obj)
        self._clause_links(doc, found)
        self._control_moves(doc, found)
        for i, (trig, etype, rid, covered) in self._pattern_triggers(doc).items():
            # A hand-written wording is more specific than the verb-object pairs read on the
            # same word ("suspended the issuing of new licences" halts exports), and on the
            # words it covers ("a hold on approving applications").
            for key in [k for k in found if (k[0] == i and k[1] != etype) or k[0] in covered]:
                if key[0] != i or key[1] != etype:
                    del found[key]
            found.setdefault((i, etype), (trig, trig, rid))
        self._dated_states(doc, found)
        _drop_lifted_objects(found, self.state_rules)
        items = sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1]))
        doc.spans[TRIGGERS] = [
            Span(doc, t.i, t.i + 1, label=etype, kb_id=rid) for (_, etype), (t, _, rid) in items
        ]
        doc.spans[TRIGGER_OBJECTS] = [
            Span(doc, o.i, o.i + 1, label=etype, kb_id=rid) for (_, etype), (_, o, rid) in items
        ]
        return doc

    def _clause_links(
        self, doc: Doc, found: dict[tuple[int, str], tuple[Token, Token, str]]
    ) -> None:
        """Permit verbs no template linked to a licence noun: the clause-span fallback."""
        lemmas = doc.to_array([LEMMA]).reshape(-1)
        hits = numpy.flatnonzero(numpy.isin(lemmas, self.permit_verb_ids)).tolist()
        if not hits:
            return
        linked = {i for i, etype in found if etype.startswith("permit_")}

        def rules_for(trig: Token, obj: Token) -> list[EventRule]:
            pairs = self.permit_verbs.get(trig.lemma_, [])
            return [rule for rule, forms in pairs if obj.lemma_ in forms]

        verbs = (doc[i] for i in hits)
        for rule, trig, obj in list(clause_objects(doc, verbs, linked, rules_for)):
            self._keep(found, rule, trig, obj)
    def _control_moves(
        self, doc: Doc, found: dict[tuple[int, str], tuple[Token, Token, str]]
    ) -> None:
        """Control verbs on a pronoun ("lifted it") and moves onto or off a control list
        ("placed Huawei on the list"): events/anaphora.py, events/control_lists.py."""
        def usable(tok: Token) -> bool:
            return tok.lemma_ not in self.weak or self._qualified(tok)

        for verb, pronoun, etype in self.anaphoric(doc, usable):
            found.setdefault((verb.i, etype), (verb, pronoun, ANAPHORIC_RULE))
        for verb, target, etype, rid in self.list_moves(doc):
            found.setdefault((verb.i, etype), (verb, target, rid))

    def _pattern_triggers(self, doc: Doc) -> dict[int, tuple[Token, str, str, range]]:
        """The hand-written patterns' triggers: per trigger word, the shortest match (its
        nearest object word) decides the type; with the tokens it covers (`covers` rows)."""
        best: dict[int, tuple[int, Token, str, str, range]] = {}
        for mid, start, end in self._by_sentence(self.extra, doc):
            row = self.extra_rules[doc.vocab.strings[mid]]
            offset = row.trigger if row.trigger >= 0 else end - start + row.trigger
            trig = doc[start + min(max(offset, 0), end - start - 1)]
            etype = row.type
            if etype in self.retype_from and self._widening(doc[start:end]):
                etype = self.retype_to  # "added 12 additional firms to its Entity List"
            rid = row.id + (f":{row.subtype}" if row.subtype else "")
            if trig.i not in best or end - start < best[trig.i][0]:
                covered = range(start, end) if row.covers else range(0)
                best[trig.i] = (end - start, trig, etype, rid, covered)
        return {i: (t, etype, rid, cov) for i, (_, t, etype, rid, cov) in best.items()}

    def _surface_ends(self, rule: EventRule, span: Span) -> tuple[Token | None, Token | None]:
        spec = self.spec
        objects = set(_object_forms(self._words(rule.objects, spec.object_classes) or []))
        if rule.nouns is not None:
            triggers = set(self._words(rule.nouns, spec.noun_classes) or [])
        else:
            triggers = set(self._words(rule.verbs, spec.verb_classes) or [])
        first, last = span[0], span[-1]
        if first.lemma_ in triggers and last.lemma_ in objects:
            return first, last
        if first.lemma_ in objects and last.lemma_ in triggers:
            return last, first
        return None, None

    def _keep(
        self,
        found: dict[tuple[int, str], tuple[Token, Token, str]],
        rule: EventRule,
        trig: Token,
        obj: Token,
    ) -> None:
        permit = rule.type.startswith("permit_")
        if obj.i != trig.i and obj.lemma_ in self.weak and not self._qualified(obj, permit):
            return
        if obj.i != trig.i and _clause_too_far(trig, obj):
            return  # "each licence issued before May was reviewed": the clause is the licence's
        if obj.i != trig.i and obj.dep_ == "compound" and obj.pos_ != "PROPN":
            return  # "export" in "export ban" is a modifier ("General License 41" is a name)
        if obj.i != trig.i and obj._.tl_company is True and rule.objects != ("@company",):
            return  # "Systems" in "Electro Optic Systems Holdings Ltd" names a firm
        if rule.subject_only and not (obj.dep_ in ("nsubj", "nsubjpass") and obj.head.i == trig.i):
            return  # "the licence requirement will apply to ...": the measure is the subject
        if trig.lemma_ == "apply" and obj.dep_ == "nsubj" and obj.head.i == trig.i:
            return  # "exemptions will apply for certain exports": applicable, not applied for
        # An active verb's subject is its object only in a misparsed passive
        # ("export controls first revealed on ..."): never when the verb has its own object.
        if (
            obj.dep_ == "nsubj"
            and obj.head.i == trig.i
            and any(ch.dep_ in ("dobj", "obj") for ch in trig.children)
        ):
            return
        etype = rule.type
        if etype in self.retype_from and self._tightening(obj):
            etype = self.retype_to
        rid = rule.id + (f":{rule.subtype}" if rule.subtype else "")
        key = (trig.i, etype)
        if key not in found or _closeness(trig, obj) < _closeness(trig, found[key][1]):
            found[key] = (trig, obj, rid)  # the nearest object in the parse describes it best

    def _qualified(self, obj: Token, permit: bool = False) -> bool:
        """A generic noun ("system", "measures") counts only with a trade-control word near it
        (in its sentence, for "approval"-like nouns; for a licence action's noun also in the
        sentence before: "The ministry authorised sugar exports. Two millers said they had
        applied for clearances.")."""
        if obj.lemma_ in self.sentence_qualified:
            start = obj.sent.start
            first = obj.doc[start - 1].sent.start if start and permit else start
            near = list(obj.doc[first : obj.sent.end])
        elif any(c.lower_ in self.definite for c in obj.children if c.dep_ in ("det", "poss")):
            near = list(obj.doc)  # "the scheme", "its mechanism": the article's own regime
        else:
            near = list(obj.subtree) + list(obj.doc[max(obj.sent.start, obj.i - 3) : obj.i])
        return any(
            t.lower_ in self.qualifiers or t.lemma_ in self.qualifiers for t in near if t.i != obj.i
        )

    def _tightening(self, obj: Token) -> bool:
        mods = {c.lower_ for c in obj.children if c.dep_ in ("amod", "advmod", "compound")}
        window = obj.doc[max(obj.sent.start, obj.i - 3) : obj.i]
        mods |= {t.lower_ for t in window}
        pairs = {f"{a.lower_} {b.lower_}" for a, b in zip(window, list(window)[1:], strict=False)}
        return bool((mods | pairs) & self.retype_mods)

    def _widening(self, span: Span) -> bool:
        """A hand-written pattern's match that says its action widens a control."""
        words = [t.lower_ for t in span]
        pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
        return bool((set(words) | pairs) & self.retype_mods)

    def _dated_states(
        self, doc: Doc, found: dict[tuple[int, str], tuple[Token, Token, str]]
    ) -> None:
        """A ban or control noun carrying its own date ("an April ban") is an introduction."""
        # Only tokens whose lemma is a state noun: found on the lemma ids, without building a
        # Token object for every word of the doc.
        lemmas = doc.to_array([LEMMA]).reshape(-1)
        for i in numpy.flatnonzero(numpy.isin(lemmas, self.state_ids)).tolist():
            tok = doc[i]
            etype = self.state_nouns[tok.lemma_]
            if tok.pos_ != "NOUN":
                continue
            dated = False
            for child in tok.children:
                if child.ent_type_ == "DATE" and child.dep_ in self.state_deps:
                    dated = True
                elif child.dep_ == "prep" and child.lower_ in self.state_preps:
                    dated = any(g.ent_type_ == "DATE" for g in child.children)
                if dated:
                    break
            if dated:
                found.setdefault((tok.i, etype), (tok, tok, "dated_state"))


LIFTED = ("ban_lifted", "control_lifted")


def _drop_lifted_objects(
    found: dict[tuple[int, str], tuple[Token, Token, str]], state_rules: frozenset[str]
) -> None:
    """The object of a lifting is what ends, not an action of its own: "lifted its freeze on
    licences" tells no licence suspension, "ending a nine-day suspension" no new halt. A state
    with its own start date stays ("scrapped the requirement, in place since 2011")."""
    lifted = {o.i for (_, etype), (t, o, _) in found.items() if etype in LIFTED and o.i != t.i}
    for key in [k for k in found if k[0] in lifted and found[k][2] not in state_rules]:
        del found[key]


def _clause_too_far(trig: Token, obj: Token) -> bool:
    """A clause trigger ("curbs imposed in May") acts on the noun it modifies, or on the noun
    above it through prepositions ("restrictions on exports imposed in May"), never on a noun
    further up the sentence."""
    if trig.dep_ not in ("acl", "relcl") or obj not in trig.ancestors:
        return False
    cur = trig.head
    while cur.i != obj.i:
        if not (cur.pos_ == "ADP" or (cur.dep_ == "pobj" and cur.pos_ in ("NOUN", "PROPN"))):
            return True
        cur = cur.head
    return False


def _closeness(trig: Token, obj: Token) -> int:
    """Steps from the trigger down to its object (large when not below it)."""
    steps, cur = 0, obj
    while cur.i != trig.i and cur.head.i != cur.i and steps < 10:
        cur, steps = cur.head, steps + 1
    return steps if cur.i == trig.i else 10 + abs(obj.i - trig.i)
