"""Event facts of one article, from the `tradeline_events` trigger annotations.

For each trigger: drop it when the text does not state an action (hedged, negated, a state,
a generic regime reference); give it the date words of its own clause (an effective date
first, then the nearest date in the parse, never a date anchored to another event such as
"since the summit at the end of October"); inherit a date from the same announcement
("also", "at the same time"); find the acting authority, the firms and the commodity; then
merge repeated mentions of one action (same type, compatible date, firms and commodity).
Cue words live in models/data/events/cues.json and are read through the events component;
the end words, destination prepositions, commodity specificity and firm sectors through the
components that own them (`Pipes`).
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token

from tradeline.extractors.commodities import facts as commodities
from tradeline.extractors.commodities.component import COMMODITIES
from tradeline.extractors.commodities.facts import CommodityLabels
from tradeline.extractors.companies.facts import ArticleFirms
from tradeline.extractors.events import adjust as event_adjust
from tradeline.extractors.events import (
    continuation,
    date_options,
    dating,
    fallback,
    framing,
    proposals,
    refusal,
)
from tradeline.extractors.events.candidates import Candidate, DateMention
from tradeline.extractors.events.component import TRIGGER_OBJECTS, TRIGGERS
from tradeline.extractors.events.features import event_features, type_features
from tradeline.extractors.events.firm_lists import name_counted_groups
from tradeline.extractors.events.firm_pronouns import pronoun_firm, subject_firm_before
from tradeline.extractors.events.firm_roles import is_bystander
from tradeline.extractors.events.firm_scope import add_scope_firms
from tradeline.extractors.events.lexicon import EventCues
from tradeline.extractors.events.outside_trade import is_outside_trade
from tradeline.extractors.events.sequels import add_sequels, is_sequel_pair
from tradeline.extractors.orgs.authorities import Actors
from tradeline.extractors.pipes import Pipes
from tradeline.extractors.text.doc_cache import sentence_bounds
from tradeline.records import EventFact, PolicyDateFact

CLAUSE_LINKS = {"advcl", "acl", "xcomp", "relcl"}
INHERIT_SENTENCES = 3  # "The ministry also ...": the announcement told at most this far before


def find_events(
    doc: Doc,
    published: str | None,
    firms: ArticleFirms,
    dates: list[PolicyDateFact],
    pipes: Pipes,
) -> list[EventFact]:
    """All actions the article states, each once (see the module docstring), each with the
    trained classifier's `confidence` when the pipeline has one."""
    finder = EventFinder(pipes)
    merged = finder.merged(doc, published, firms, dates)
    facts = [to_fact(c) for c in merged]
    if pipes.event_confidence is not None and merged:
        rows = [event_features(c, doc) for c in merged]
        for fact, value in zip(facts, pipes.event_confidence.confidence(rows), strict=True):
            fact.confidence = value
    return facts


# Rules whose wording holds the modal or negation ("shall not be permitted", "exporters must
# obtain", "will no longer require", "exporters will need to register").
MODAL_RULES = (
    "not_permitted",
    "obligation_permit",
    "no_longer_required",
    "exporters_must_register",
)


class EventFinder:
    """The event rules with the word lists of one pipeline's components."""

    def __init__(self, pipes: Pipes) -> None:
        self.cue: EventCues = pipes.events.cues
        self.end_words = pipes.dates.lexicon.end_words.event
        self.effect = pipes.dates.lexicon.effect
        self.date_lexicon = pipes.dates.lexicon
        self.reporting = set(pipes.dates.lexicon.reporting_verbs)
        self.attachment = pipes.date_attachment
        self.actors = Actors(pipes.orgs.context)
        self.labels = CommodityLabels(pipes.commodities.specificity)
        self.sectors = pipes.companies.names.sectors
        self.companies = pipes.companies  # counted firm groups named later (firm_lists.py)
        self.typer = pipes.event_types
        self.proposer = pipes.event_proposals
        self._mentions: list[DateMention] = []  # the article's dates, set by `merged`

    # ---------------------------------------------------------------------------- public
    def merged(
        self,
        doc: Doc,
        published: str | None,
        firms: ArticleFirms,
        dates: list[PolicyDateFact],
    ) -> list[Candidate]:
        """All actions the article states, each once, as candidates with their arguments."""
        mentions = _locate_dates(doc, dates)
        self._mentions = mentions
        cue = self.cue
        cands = self.retyped(self.proposed(doc, firms, dates))
        cands += self.learned_proposals(doc, cands, mentions)
        by_sent: dict[int, list[Candidate]] = {}
        for c in cands:
            by_sent.setdefault(c.sent.start, []).append(c)
        dates_of: dict[int, list[DateMention]] = {}  # each sentence's dates, found once
        for m in mentions:
            dates_of.setdefault(m.span.sent.start, []).append(m)
        sequels: list[Candidate] = []
        for start, group in by_sent.items():
            sent_dates = dates_of.get(start, [])
            self._assign_dates(group, sent_dates)
            self._absorb_elaborations(group)
            self._absorb_dated_participles(group)
            framing.absorb_specific(group, self._families())
            dating.share_clause_dates(group, self._blocks)
            dating.share_report_dates(group, self.reporting, self._blocks)
            dating.prefer_effective(
                group,
                sent_dates,
                self.effect,
                self.reporting,
                self._is_start,
                self._blocks,
            )
            sequels += add_sequels(
                group, sent_dates, self.cue.sequel_verbs, self.end_words, self._blocks
            )
        cands += sequels  # "..., followed by hydrogen fluoride in late August" (sequels.py)
        cands = [c for c in cands if not c.absorbed and not event_adjust.is_standing_rule(c, cue)]
        for c in cands:
            opening = c.sent.text.lstrip(" \"“'‘").lower()
            if opening.startswith(tuple(cue.adjust.separate_openers)):
                c.separate = True  # "Separately, ...", "In a separate notification, ..."
            if any(
                ch.dep_ == "advmod" and ch.lower_ in cue.adjust.sequence_adverbs
                for ch in c.trigger.children
            ):
                c.separate = True  # "It then removed the curbs on 24 more drugs": a next step
        cands = self._drop_restatements(cands)
        cands = self._donate_effective_dates(cands)
        dating.donate_effect_statements(cands, mentions, self.effect, cue.elaboration_families)
        self._inherit_dates(cands, mentions, published)
        default_country = self.actors.article_country(doc)
        dominant = self.labels.dominant(doc)
        article_firms = {f.canonical for f in firms.facts}
        sectors = self.sectors
        for c in cands:
            c.authority, c.authority_country, c.authority_stated = self.actors.event_authority(
                doc, c.trigger, default_country
            )
            names = [
                n
                for n in self._party_firms(c, firms)
                if sectors.get(n) not in cue.non_party_sectors
            ]
            for maker in self._makers(doc, c, firms):
                if maker in article_firms and maker not in names:
                    names.append(maker)
            c.companies = names
            c.commodities = self.labels.labels_in(doc, c.sent)
            c.commodity_terms = commodities.terms_in(doc, c.sent)
            if not c.commodities and dominant:
                c.commodities, c.commodity_inherited = list(dominant), True
            c.modality = self._modality(c, published)
        self._resolve_firm_anaphora(cands, cue, firms)
        name_counted_groups(doc, cands, firms, self.companies)
        add_scope_firms(
            doc,
            cands,
            firms,
            cue.firm_scope,
            self._family,
            lambda n: sectors.get(n) not in cue.non_party_sectors,
        )
        cands = self._donate_requirement_dates(cands)
        if any(not event_adjust.is_headline(c) for c in cands):
            cands = [c for c in cands if c.date is not None or not event_adjust.is_headline(c)]
        events = self._merge(cands)
        fallback.fill_undated(
            events,
            mentions,
            self.date_lexicon,
            self.cue.anchored_preps,
            lambda c, m: self._announced_for(c, m, events, mentions),
            published,
        )
        self._attach_dates(events, mentions, published)
        return events

    def proposed(
        self, doc: Doc, firms: ArticleFirms, dates: list[PolicyDateFact]
    ) -> list[Candidate]:
        """The triggers that state an action (not hedged, negated, a description or
        background), each typed by its rule."""
        mentions = _locate_dates(doc, dates)
        cue = self.cue
        named = set(firms.by_token)
        dated = {t.i for m in mentions for t in m.span}
        cands = _candidates(doc)
        answered = [c for c in cands if event_adjust.answers_application(c, cands)]
        for c in answered:
            c.type, c.rule = "permit_denied", "refused_application"
        for c in cands:
            if event_adjust.is_requirement(c, cue, named):
                c.type, c.rule = "control_introduced", "obligation_permit"
            elif continuation.retype(c, cue):
                pass  # "will keep requiring permits until 2026": the control is prolonged
            elif framing.is_licence_condition(c, cue):
                c.type, c.rule = "control_introduced", "licence_condition"
            elif refusal.is_refused_grant(c, cue, self._chain(c.trigger), dated) and not (
                self._not_an_action(c, negation=False)
            ):
                refusal.retype(c, cue)  # "will not renew the licence", "no new permits approved"
        cands = [c for c in cands if not self._not_an_action(c)]
        cands = [c for c in cands if not is_outside_trade(c, cue.outside_trade)]
        authority_tokens = {t.i for s in doc.spans.get("tl_authorities", []) for t in s}
        cands = [
            c for c in cands if not event_adjust.is_description(c, cue, authority_tokens, dated)
        ]
        for c in cands:
            if event_adjust.is_single_consignment(c, cue):
                c.type, c.rule = "permit_denied", "block_consignment"  # an export refused
        return [c for c in cands if not self._undated_background(c, mentions)]

    def retyped(self, cands: list[Candidate]) -> list[Candidate]:
        """Each candidate with the type the trained typing model prefers (events/type_model.py);
        the rule's type when the pipeline has no typing model."""
        if self.typer is None or not cands:
            return cands
        types = self.typer.retype([c.type for c in cands], [type_features(c) for c in cands])
        for c, etype in zip(cands, types, strict=True):
            if etype != c.type:
                c.type, c.subtype = etype, None  # the rule's subtype named the rule's type
        return cands

    def learned_proposals(
        self, doc: Doc, cands: list[Candidate], mentions: list[DateMention]
    ) -> list[Candidate]:
        """Candidates the trained proposer (events/proposals.py) finds in sentences where the
        rules found no event, kept when they state an action the way a rule candidate must
        (not hedged, negated or background); none when the pipeline has no proposer."""
        if self.proposer is None:
            return []
        covered = {c.sent.start for c in cands}
        sents = [s for s in doc.sents if s.start not in covered]
        out = []
        for sent, etype, _ in self.proposer.propose(sents):
            trig = proposals.anchor(sent)
            c = Candidate(trigger=trig, obj=trig, type=etype, rule=proposals.RULE)
            if not self._not_an_action(c) and not self._undated_background(c, mentions):
                out.append(c)
        return out

    # ---------------------------------------------------------------------------- arguments
    def _party_firms(self, c: Candidate, firms: ArticleFirms) -> list[str]:
        """Firms of the event sentence, except those in a clause anchored to another event
        ("days after the government took control of the company, owned by X")."""
        cue = self.cue
        out: list[str] = []
        for tok in c.sent:
            name = firms.by_token.get(tok.i)
            if not name or name in out:
                continue
            if event_adjust.is_not_a_party(tok, cue):
                continue
            if is_bystander(tok, name, firms, self.companies):
                continue  # an owner, a deal's counterparty, a source (events/firm_roles.py)
            if not _in_trigger_clause(tok, c.trigger, firms, name):
                continue  # "X designed the chip after the US imposed curbs": X is no party
            path = _path(tok, c.trigger)
            if path is not None:
                between = path[0][1:-1]  # up from the firm, short of the common ancestor
                if any(t.dep_ == "acl" and t.lemma_ in cue.ownership_participles for t in between):
                    continue  # "the chipmaker owned by X": an owner, not a party
                if any(t.lower_ in cue.anchored_preps for t in between) or any(
                    t.dep_ == "mark" and t.lower_ in cue.anchored_preps
                    for u in between
                    for t in u.children
                ):
                    continue
                if any(_other_actors_clause(u, tok) for u in between):
                    continue  # "authorised X, even as Washington keeps sanctions on Y": not Y
            out.append(name)
        return out

    def _makers(self, doc: Doc, c: Candidate, firms: ArticleFirms) -> list[str]:
        """Makers of the products the event's clause names ("licences to sell the H20" ->
        Nvidia); a product of a main clause the event only qualifies is no party's, and a
        generic term ("AI chips") names no maker."""
        out: list[str] = []
        for span in doc.spans.get(COMMODITIES, []):
            if not (c.sent.start <= span.start and span.end <= c.sent.end) or not span.kb_id_:
                continue
            if span.text.casefold() == span.label_.casefold():
                continue  # a generic term ("AI chips"), not one maker's product ("H20")
            if span.kb_id_ in out or not _in_trigger_clause(span.root, c.trigger, firms, ""):
                continue
            out.append(span.kb_id_)
        return out

    def _chain(self, tok: Token) -> list[Token]:
        """The words that govern the trigger's clause, nearest first. An adverbial clause
        ("..., after the government imposed curbs") does not inherit its main clause's hedges."""
        follow = set(self.cue.hedge_chain_deps)
        out = []
        cur = tok
        while cur.head.i != cur.i and len(out) < 6 and cur.dep_ in follow:
            cur = cur.head
            out.append(cur)
        return out

    def _not_an_action(self, c: Candidate, negation: bool = True) -> bool:
        """Hedged, negated, a state, or a generic reference: not an event (`negation` False:
        whatever the negation, for a refusal, events/refusal.py)."""
        cue = self.cue
        trig = c.trigger
        sent_text = c.sent.text.lower()
        if any(g in sent_text for g in cue.generic_cues):
            return True
        if any(g in sent_text for g in cue.characterisation):
            return True
        if c.rule in MODAL_RULES or c.rule in refusal.RULES:
            return False  # "shall not be permitted", "exporters must obtain": the modal is the rule
        own = [ch for ch in trig.children]
        if _gerund_subject(trig):
            return True  # "blocking exports forces China to innovate": a generic statement
        heads = self._chain(trig)
        if negation and refusal.negated_here(trig, cue):
            return True
        if any(ch.dep_ == "aux" and ch.lower_ in cue.hedge_aux for ch in own):
            return True
        if negation and refusal.negated_object(c):
            return True  # "no export licences will be issued", "not every restriction"
        if any(ch.dep_ == "mark" and ch.lower_ in cue.hedge_marks for ch in own):
            return True
        if _hedged_complement(trig, set(cue.hedge_aux)):
            return True
        for h in heads:
            if h.lemma_ in cue.hedge_governors or h.lower_ in cue.hedge_governors:
                return True
            if (
                h.lemma_ in cue.state_governors
                and trig.dep_ in ("acomp", "xcomp", "oprd")
                and c.rule != continuation.RULE
            ):
                return True
            if h.lower_ == "without":
                return True
            if h.pos_ == "NOUN" and any(
                ch.dep_ == "det" and ch.lower_ == "no" for ch in h.children
            ):
                return True  # "has no plans to restrict"
            if h.pos_ == "NOUN" and any(
                ch.dep_ == "amod" and ch.lower_ in cue.hedge_modifiers for ch in h.children
            ):
                return True  # "the possible step of adding ...", "a proposed plan to ban"
            if negation and refusal.negated_governor(trig, h):
                return True
            if h.dep_ in ("ROOT",):
                break
        # The state "remain restricted" and its like.
        return trig.tag_ == "VBN" and any(h.lemma_ in cue.state_governors for h in heads[:1])

    def _undated_background(self, c: Candidate, mentions: list[DateMention]) -> bool:
        """'since the rules took effect': a clause anchored to another moment mentions an action
        in passing; without a date of its own it adds no event."""
        marks = self.cue.background_marks
        marked = any(ch.dep_ == "mark" and ch.lower_ in marks for ch in c.trigger.children)
        if not marked and not _in_anchored_phrase(c.trigger, set(self.cue.anchored_preps)):
            return False
        subtree = {t.i for t in c.trigger.subtree}
        return not any(m.span.root.i in subtree for m in mentions)

    def _date_blocked(
        self,
        path_up: list[Token],
        trigger: Token,
        obj: Token,
        m: DateMention,
        rule: str,
        path_down: list[Token] | None = None,
    ) -> bool:
        """A date anchored to another event ("since the summit at the end of October", "after
        talks on Monday") or an end date ("until June", "through 2023") does not date this one;
        nor does the date of a main clause date an action in its "after ..." clause."""
        cue = self.cue
        for tok in path_down or []:
            if any(ch.dep_ == "mark" and ch.lower_ in cue.anchored_preps for ch in tok.children):
                return True
        if dating.told_afterwards(trigger) and not _within(m.span.root, trigger):
            return True  # "followed on Oct. 22, and OFAC has since issued licences"
        first = m.fact.text.split()[0].lower() if m.fact.text.split() else ""
        end_words = self.end_words
        if first in end_words or _lower_window(m.span[0], 1) in end_words:
            return True
        if date_options.hedged_end(m, end_words):
            return True  # "until at least the end of the year"
        if trigger.lemma_ in cue.lengthening_verbs and (
            first == "to" or _lower_window(m.span[0], 1) == "to"
        ):
            return True  # "extended ... to the end of January 2027": the new end date
        if first in cue.anchored_preps and not (
            first == "since" and (rule in cue.state_rules or _starts_state(m, trigger))
        ):
            return True
        for tok in path_up[1:]:
            if tok.i in (trigger.i, obj.i):
                break
            if (
                _own_clause_verb(tok, cue.anaphoric_subjects)
                and tok.lemma_.lower() not in self.reporting
                and tok.lemma_.lower() not in ISSUING_VERBS
                and tok is not path_up[-1]
                and not self._is_effective(m)
                and not dating.takes_effect(m, self.effect)
                and not (first == "since" and rule in cue.state_rules)
            ):
                # "lifted the ban that it imposed in 2023": the relative's own date; but "a
                # ban ... that had been in place since 2019" tells the state's own start
                return True
            if tok.lower_ in cue.anchored_preps:
                return True
            if tok is not path_up[-1] and any(
                ch.dep_ == "mark" and ch.lower_ in cue.anchored_preps and ch.i < m.span.start
                for ch in tok.children
            ):
                return True  # the date sits in a "since ..." / "after ..." clause of its own
            # (a date told before the "after" is the main clause's, whatever the parse says:
            # "revoked the registration last month after officers found ...")
            if tok.pos_ in ("NOUN", "PROPN") and tok.lemma_ in cue.blocking_nouns:
                return True
        return False

    def _blocks(self, c: Candidate, m: DateMention) -> bool:
        """Whether date `m` cannot date candidate `c` of its sentence (see _date_blocked)."""
        path = _path(m.span.root, c.trigger)
        return path is None or self._date_blocked(path[0], c.trigger, c.obj, m, c.rule, path[1])

    def _is_effective(self, m: DateMention) -> bool:
        cue = self.cue
        text = m.fact.text.lower()
        before = _lower_window(m.span[0], 2)
        words = set(cue.effective_words)
        return any(text.startswith(w + " ") or text == w for w in words) or any(
            before.endswith(w) for w in words
        )

    def _is_start(self, m: DateMention) -> bool:
        """'from Oct. 1', 'effective May 26', 'starting in July': a start, not an end."""
        return self._is_effective(m) and not date_options.is_end_date(m, self.end_words)

    def _assign_dates(self, group: list[Candidate], dates: list[DateMention]) -> None:
        """Match dates to triggers one-to-one, nearest in the parse first, effective dates first.
        In a very long 'sentence' only dates near each trigger are tried
        (`dating.far_in_long_sentence`)."""
        pairs = []
        for m in dates:
            anchor = _anchor_token(m, group)
            effective = self._is_effective(m)
            for k, c in enumerate(group):
                if dating.far_in_long_sentence(c, m):
                    continue
                path = _path(anchor, c.trigger)
                if path is None:
                    continue
                up, down = path
                if self._date_blocked(up, c.trigger, c.obj, m, c.rule, down):
                    continue
                pairs.append((0 if effective else 1, len(up) + len(down), len(up), k, m))
        pairs.sort(key=lambda p: p[:4])
        used: set[int] = set()
        for eff, _, _, k, m in pairs:
            if group[k].date is not None or id(m) in used:
                continue
            # "the suspension ... would start on Feb. 10": a start told by its verb
            starts = eff == 0 or dating.takes_effect(m, self.effect)
            group[k].date, group[k].date_role = m, "effective" if starts else "direct"
            used.add(id(m))

    def _families(self) -> dict[str, int]:
        """Each event type's elaboration family (cues.json elaboration_families)."""
        return {t: k for k, family in enumerate(self.cue.elaboration_families) for t in family}

    def _family(self, etype: str) -> int:
        for k, family in enumerate(self.cue.elaboration_families):
            if etype in family:
                return k
        return -1

    def _absorb_elaborations(self, group: list[Candidate]) -> None:
        """'launched a crackdown ..., curbing exports to 140 firms': a participle clause under
        another trigger of the same family elaborates that action and is not a second event,
        unless it carries its own date."""
        for c in group:
            twin = next(
                (m for m in group if m is not c and m.obj.i == c.trigger.i and m.type == c.type),
                None,
            )
            if twin is not None and not twin.absorbed:
                c.absorbed = True  # "filed an application for a permit": one application
                effective = c.date is not None and c.date_role == "effective"
                if twin.date is None or (effective and twin.date_role != "effective"):
                    # "decided on Sunday to impose a ban ... starting from February 1": the
                    # ban's start dates the action (GUIDELINES §3: the effective date first)
                    twin.date, twin.date_role = c.date, c.date_role
                continue
            if c.date is not None and (
                c.trigger.dep_ != "relcl" or _within(c.date.span.root, c.trigger)
            ):
                continue  # "the ban it placed in April": a dated background action of its own
            # "extended the suspension of its ban": the suspension is what is acted on; "lift
            # the ban it placed, the president said Thursday": a date from outside its clause
            # and the object's phrase does not make the ban's introduction a second action
            # ("postpone measures from September 29 that would have expanded curbs" does).
            holder = next(
                (
                    m
                    for m in group
                    if m is not c
                    and not m.absorbed
                    and m.obj.i != m.trigger.i
                    and c.trigger.i in {t.i for t in m.obj.subtree}
                    and (c.date is None or not _within(c.date.span.root, m.obj))
                ),
                None,
            )
            if holder is not None:
                c.absorbed = True
                framing.take_specific_type(holder, c, self._families())
                continue
            if c.date is not None:
                continue
            if c.trigger.tag_ not in ("VBG", "VBN") or c.trigger.dep_ not in CLAUSE_LINKS:
                continue
            if any(ch.dep_ in ("nsubj", "nsubjpass", "mark") for ch in c.trigger.children):
                continue  # "..., while a ban had been issued by India": a clause of its own
            ancestors = {t.i for t in c.trigger.ancestors}
            for main in group:
                if main is c or main.absorbed or main.trigger.i not in ancestors:
                    continue
                # "revoked the licences, barring the firms from selling": a present participle
                # tells what the main action does, whatever its type.
                if self._family(main.type) == self._family(c.type) or (
                    c.trigger.tag_ == "VBG" and _direction(main.type) == _direction(c.type)
                ):
                    c.absorbed = True
                    for name in c.companies:
                        if name not in main.companies:
                            main.companies.append(name)
                    break

    def _absorb_dated_participles(self, group: list[Candidate]) -> None:
        """'Japan tightened procedures in July 2019, requiring licences': when the parse hangs the
        date on the participle, it dates the main action, which the participle elaborates; and
        'tightened its rules in July, when the ministry added ...' is one action told twice."""
        for c in group:
            trig = c.trigger
            when = trig.dep_ == "advcl" and any(
                ch.dep_ in ("advmod", "mark") and ch.lower_ in ("when", "by")
                for ch in trig.children
            )
            participle = c.date is not None and trig.tag_ == "VBG" and trig.dep_ in CLAUSE_LINKS
            if c.absorbed or not (when or participle):
                continue
            ancestors = {t.i for t in trig.ancestors}
            main = next(
                (
                    m
                    for m in group
                    if m is not c
                    and not m.absorbed
                    and m.trigger.i in ancestors
                    and self._family(m.type) == self._family(c.type)
                ),
                None,
            )
            if main is None or (participle and not when and main.date is not None):
                continue
            if main.date is None and c.date is not None:
                main.date, main.date_role = c.date, c.date_role
            c.absorbed = True

    def _donate_effective_dates(self, cands: list[Candidate]) -> list[Candidate]:
        """'The new rules take effect on Sept. 7': the start date of the action just reported,
        not a second action. It becomes that action's date (GUIDELINES: effective date first)."""
        donors = set(self.cue.effective_donor_rules)
        kept: list[Candidate] = []
        for c in cands:
            if c.rule in donors or self._restated_start(c):
                previous = [
                    p
                    for p in kept[-4:]
                    if self._family(p.type) == self._family(c.type) and p.sent.start < c.sent.start
                ]
                if previous:
                    target = previous[-1]
                    if (
                        c.date is not None
                        and target.date_role != "effective"
                        and not dating.names_another(c.date, target, self.effect)
                    ):
                        target.date, target.date_role = c.date, "effective"
                    continue
            kept.append(c)
        return kept

    def _restated_start(self, c: Candidate) -> bool:
        """'The suspension of permits held by A and B would start on Feb. 10': a definite noun
        naming the action just reported, as the subject of a date that takes effect, tells
        that action's start; it is no second action."""
        trig, date = c.trigger, c.date
        if date is None or trig.pos_ != "NOUN" or not dating.takes_effect(date, self.effect):
            return False
        subj = dating._subject(dating._verb_of(date))
        return (
            subj is not None
            and subj.i == trig.i
            and any(
                ch.dep_ == "det" and ch.lower_ in ("the", "this", "that") for ch in trig.children
            )
        )

    def _resolve_firm_anaphora(
        self, cands: list[Candidate], cue: EventCues, firms: ArticleFirms
    ) -> None:
        """'... intends to grant the companies annual licences': a definite plural firm noun and no
        named firm in the sentence refer to the firms of the latest event that named some; 'the
        company' with no such event refers to the one firm the article has named so far."""
        nouns = set(cue.adjust.firm_anaphors)
        unnaming = set(cue.adjust.unnaming_verbs)  # "without naming the companies"
        pronouns = set(cue.adjust.firm_pronouns)
        for k, c in enumerate(cands):
            if c.companies:
                continue
            plural = any(t.lower_ in nouns and t.tag_ == "NNS" for t in c.sent)
            anaphor = any(
                t.lower_ in nouns
                and t.dep_ not in ("attr", "appos")  # "the second-largest supplier": a description
                and not any(a.lower_ == "without" or a.lemma_ in unnaming for a in t.ancestors)
                and any(
                    d.dep_ in ("det", "predet") and d.lower_ in ("the", "both", "these", "those")
                    for d in t.children
                )
                for t in c.sent
            )
            if not anaphor:
                name = pronoun_firm(c.sent, firms, pronouns)  # "It said it had applied"
                if name is not None:
                    c.companies = [name]
                continue
            earlier = [p for p in cands[:k] if p.companies and p.sent.start < c.sent.start]
            near = bool(earlier) and c.sent.start - earlier[-1].sent.end < 120
            if near and (plural or len(earlier[-1].companies) == 1):  # "the company": one firm
                c.companies = list(earlier[-1].companies)
            elif not earlier and not plural:
                start = c.sent.start_char
                named = {f.canonical for f in firms.facts if (f.start_char or 0) < start}
                if len(named) == 1:
                    c.companies = list(named)
            if not c.companies and not plural:  # "X said it applied. The company said ..."
                name = subject_firm_before(c.sent, firms)
                if name is not None and not firms.in_span(c.sent):
                    c.companies = [name]

    def _donate_requirement_dates(self, cands: list[Candidate]) -> list[Candidate]:
        """'From July 4, suppliers will need a licence': the effective date of the control just
        reported (see events/adjust.py donates_effective_date); the same control told again, so
        the firms it names are that control's too ("From July 4, X and Y will need ...")."""
        kept: list[Candidate] = []
        for c in cands:
            previous = kept[-1] if kept else None
            if event_adjust.donates_effective_date(c, previous, self.cue):
                previous.date, previous.date_role = c.date, "effective"  # type: ignore[union-attr]
                for name in c.companies:
                    if name not in previous.companies:  # type: ignore[union-attr]
                        previous.companies.append(name)  # type: ignore[union-attr]
                continue
            kept.append(c)
        return kept

    def _attach_dates(
        self, cands: list[Candidate], mentions: list[DateMention], published: str | None
    ) -> None:
        """The trained event-date attachment, where the pipeline has one, re-chooses each
        action's output date among its options (events/date_options.py); the rules' pick is
        one of the features it reads and stays the candidate's `date` (merging and the event
        confidence were built on it)."""
        if self.attachment is None or not cands:
            return
        table = date_options.candidate_rows(cands, mentions, self, self.date_lexicon, published)
        flat = [row for _, rows in table for row in rows]
        values = self.attachment.scores(flat)
        start = 0
        for c, (options, rows) in zip(cands, table, strict=True):
            mine = values[start : start + len(rows)]
            start += len(rows)
            best = options[max(range(len(mine)), key=lambda k: (mine[k], -k))]
            if best.mention is not c.date:
                c.attached = (best.mention,)

    def _drop_restatements(self, cands: list[Candidate]) -> list[Candidate]:
        """'The move requires suppliers to seek a licence': an undated sentence whose subject is
        the previous action ("the move", "the new rules") describes it rather than adding one,
        unless it says it does something more ("also")."""
        cue = self.cue
        kept: list[Candidate] = []
        for c in cands:
            subject = next(
                (ch for ch in c.trigger.children if ch.dep_ in ("nsubj", "nsubjpass")), None
            )
            restates = (
                c.date is None
                and subject is not None
                and subject.lemma_ in cue.anaphoric_subjects
                and any(
                    d.dep_ == "det" and d.lower_ in ("the", "this", "these", "that")
                    for d in subject.children
                )
                and not self._continues_announcement(c)
                and any(
                    self._family(p.type) == self._family(c.type) and c.sent.start - p.sent.start > 0
                    for p in kept[-3:]
                )
            )
            if not restates:
                kept.append(c)
                continue
            for k in kept[-3:]:
                framing.take_specific_type(k, c, self._families())
        return kept

    def _inherit_dates(
        self, cands: list[Candidate], mentions: list[DateMention], published: str | None
    ) -> None:
        """'The ministry also ...', 'At the same time, ...': the date of the same announcement
        (told at most INHERIT_SENTENCES before); when that action is dated by its effective
        date, the date it was announced, if its sentence tells one ('said on Wednesday');
        'that later date', 'from that date': the date of the event just before."""
        bounds = sentence_bounds(cands[0].trigger.doc) if cands else []
        index = {start: n for n, (start, _) in enumerate(bounds)}
        for k, c in enumerate(cands):
            if c.date is not None:
                continue
            anaphoric = self._anaphoric_date(c)
            replacing = self._replaces(c)
            if not anaphoric and not replacing and not self._continues_announcement(c):
                continue
            previous = [p for p in cands[:k] if p.date is not None and p.sent.start < c.sent.start]
            previous = [
                p
                for p in previous
                if not p.date.fact.text.lower().startswith("since")  # type: ignore[union-attr]
            ]  # a state "since 2023" is no announcement to continue
            previous = [
                p
                for p in previous
                if index[c.sent.start] - index[p.sent.start] <= INHERIT_SENTENCES
                or c.sent.start - p.sent.end < 80
            ]
            if not previous:
                continue
            if not anaphoric:  # an announcement, not the history told beside it
                current = [p for p in previous if not dating.told_as_background(p, published)]
                if replacing and not current:
                    continue  # what it replaces is undated: history is not its date
                previous = current or previous
            c.separate = not anaphoric
            if anaphoric or replacing:
                source = previous[-1]  # "from that date", "instead": the action just told
            else:
                same = [p for p in previous if p.type == c.type]
                if same:
                    source = same[-1]
                else:
                    last_sent = previous[-1].sent.start
                    in_last = [p for p in previous if p.sent.start == last_sent]
                    source = min(in_last, key=lambda p: _depth(p.date.span.root))  # type: ignore[union-attr]
            c.date, c.date_role = source.date, "inherited"
            if (
                not anaphoric
                and not replacing
                and source.date_role == "effective"
                and not self._measure_acts(c)
            ):
                c.date = (
                    self._announcement_date(source, mentions)
                    or self._chained_announcement(source, cands, published)
                    or source.date
                )

    def _chained_announcement(
        self, source: Candidate, cands: list[Candidate], published: str | None
    ) -> DateMention | None:
        """'The EU on Wednesday adopted its package ... The package also bans exports from Aug.
        1 ... At the same time, the EU removed ...': the action that `source` continues (it
        tells no announcement day of its own) was announced on the day of the announcement
        it continues: the latest earlier dated action, told as news, that is dated by a plain
        day (neither a start nor an end)."""
        if not self._continues_announcement(source):
            return None
        sents = {start: n for n, (start, _) in enumerate(sentence_bounds(source.sent.doc))}
        here = sents[source.sent.start]
        for p in reversed(cands):
            if p.date is None or p.sent.start >= source.sent.start:
                continue
            if here - sents[p.sent.start] > INHERIT_SENTENCES:
                break
            if p.date_role == "effective" or dating.told_as_background(p, published):
                continue
            if self._plain_day(p.date):
                return p.date
        return None

    def _replaces(self, c: Candidate) -> bool:
        """'Exporters will instead need a certificate', 'As a replacement, OFAC issued ...': the
        action takes the place of the one told before (cues.json replacement_cues)."""
        words = [t.lower_ for t in c.sent]
        return any(
            words[k : k + len(phrase)] == phrase
            for phrase in (w.split() for w in self.cue.replacement_cues)
            for k in range(len(words) - len(phrase) + 1)
        )

    def _anaphoric_date(self, c: Candidate) -> bool:
        """'from the same date', 'from that date,': the sentence dates its action by another's."""
        words = [t.lower_ for t in c.sent]
        return any(
            words[k : k + len(phrase)] == phrase
            for phrase in (w.split() for w in self.cue.anaphoric_dates)
            for k in range(len(words) - len(phrase) + 1)
        )

    def _measure_acts(self, c: Candidate) -> bool:
        """'The rule also tightens controls on ...', 'Under the new rule, traders will need a
        licence': the measure itself acts (the active subject) or governs the action, so the
        action starts when the measure does (its effective date)."""
        measures = self.cue.anaphoric_subjects
        if any(ch.dep_ == "nsubj" and ch.lemma_.lower() in measures for ch in c.trigger.children):
            return True
        return any(
            t.lemma_.lower() in measures and t.head.lower_ == "under" and t.dep_ == "pobj"
            for t in c.sent
            if t.head.head.i == c.trigger.i or t.head.head.dep_ == "ROOT"
        )

    def _announcement_date(
        self, source: Candidate, mentions: list[DateMention]
    ) -> DateMention | None:
        """The date an action with an effective date was announced: another date of its
        sentence, on the action or on the verb that reports it ('said on Wednesday'), that is
        neither an effective nor an end date."""
        best: tuple[int, DateMention] | None = None
        for m in mentions:
            if m.span.sent.start != source.sent.start or m is source.date:
                continue
            if not self._plain_day(m):
                continue
            verb = dating._verb_of(m)
            if verb.i != source.trigger.i and verb.lemma_ not in self.reporting:
                continue
            path = _path(m.span.root, source.trigger)
            length = len(path[0]) + len(path[1]) if path else 99
            if best is None or length < best[0]:
                best = (length, m)
        return best[1] if best else None

    def _plain_day(self, m: DateMention) -> bool:
        """A date that can be the day an action was announced: no effective, end or anchored
        date ('from Oct. 1', 'until June', 'since the summit')."""
        if self._is_effective(m) or dating.takes_effect(m, self.effect):
            return False
        first = m.fact.text.split()[0].lower() if m.fact.text.split() else ""
        return first not in self.end_words and first not in self.cue.anchored_preps

    def _announced_for(
        self,
        c: Candidate,
        start: DateMention,
        events: list[Candidate],
        mentions: list[DateMention],
    ) -> DateMention | None:
        """The announcement day an undated action takes instead of the start date told before
        it: only an action that continues the announcement with a step of its own ('The
        ministry also revoked ...', 'It approved permits for 37 firms' after a suspension);
        one that restates the same measure ('has decided to expand its export control') or
        says 'from that date' keeps the start."""
        if self._anaphoric_date(c) or self._measure_acts(c):
            return None
        source = next((p for p in events if p.date is start), None)
        same_measure = source is None or self._family(source.type) == self._family(c.type)
        if same_measure and not self._continues_announcement(c):
            return None  # (a free start date told before: only an 'also' action is another)
        return self._announced_with(start, mentions)

    def _announced_with(
        self, start: DateMention, mentions: list[DateMention]
    ) -> DateMention | None:
        """The date a start date ('from Sept. 25') was announced, told in its sentence: on the
        same verb ('on Monday suspended its ban from Sept. 25') or on the verb that reports it
        ('said on Wednesday'); None unless `start` is a start date."""
        if not (self._is_start(start) or dating.takes_effect(start, self.effect)):
            return None
        verb = dating._verb_of(start)
        best: tuple[int, DateMention] | None = None
        for m in mentions:
            if m.span.sent.start != start.span.sent.start or m is start:
                continue
            if not self._plain_day(m):
                continue
            own = dating._verb_of(m)
            before = m.span.doc[m.span.start - 1] if m.span.start > 0 else m.span[0]
            if (
                own.i != verb.i
                and own.lemma_ not in self.reporting
                and (before.lemma_ not in self.reporting)
            ):
                continue
            path = _path(m.span.root, start.span.root)
            length = len(path[0]) + len(path[1]) if path else 99
            if best is None or length < best[0]:
                best = (length, m)
        return best[1] if best else None

    def _continues_announcement(self, c: Candidate) -> bool:
        """'At the same time, ...' / 'Meanwhile, ...' open the sentence, or 'also' modifies the
        trigger itself ('The ministry also requires ...'), not some other verb of the sentence."""
        cue = self.cue
        text = f" {c.sent.text.lower()} "
        if any(f" {w} " in text or f" {w}," in text for w in cue.inherit_cues):
            return True
        heads = [c.trigger, *[h for h in self._chain(c.trigger)[:1] if h.pos_ == "AUX"]]
        if c.trigger.dep_ in ("ccomp", "xcomp") and c.trigger.head.lemma_ in self.reporting:
            heads.append(c.trigger.head)  # "METI also said it had added 22 entities"
        return any(
            ch.dep_ == "advmod" and ch.lower_ in cue.inherit_adverbs
            for h in heads
            for ch in h.children
        )

    # ---------------------------------------------------------------------------- modality
    def _modality(self, c: Candidate, published: str | None) -> str:
        cue = self.cue
        text = c.sent.text.lower()
        if any(w in text for w in cue.immediate):
            return "actual"
        aux = {ch.lower_ for ch in c.trigger.children if ch.dep_ == "aux"}
        if aux & set(cue.planned_aux):
            return "planned"
        if any(h.lemma_ in cue.planned_governors for h in self._chain(c.trigger)[:2]):
            return "planned"
        if c.date is not None and published and c.date.value[:7] > published[:7]:
            return "planned"
        return "actual"

    def _compatible(self, a: Candidate, b: Candidate) -> bool:
        if a.type != b.type:
            return False
        if not _dates_compatible(a, b) and not (
            self._announced_then(a, b) or self._announced_then(b, a)
        ):
            return False
        if is_sequel_pair(a, b):
            return False
        ida, idb = _object_id(a.obj), _object_id(b.obj)
        if ida and idb and ida != idb:
            return False  # "revoked General License 43", "no renewal of General License 44"
        if self._immediate_and_later(a, b) or self._immediate_and_later(b, a):
            return False
        if a.type == "permit_applied" and self._receipt(a) != self._receipt(b):
            return False  # a ministry's count of applications, a firm's own application
        if (a.separate or b.separate) and a.sent.start != b.sent.start:
            return False
        if a.sent.start == b.sent.start and self._own_commodities_differ(a, b):
            return False  # "Indonesia halted palm oil exports, while India banned wheat exports"
        if a.companies and b.companies and not set(a.companies) & set(b.companies):
            return False
        ca, cb = self.labels.specific(a.commodities), self.labels.specific(b.commodities)
        if (
            not a.commodity_inherited
            and not b.commodity_inherited
            and ca
            and cb
            and not set(ca) & set(cb)
        ):
            return False
        return not (
            a.authority_stated
            and b.authority_stated
            and a.authority_country
            and b.authority_country
            and a.authority_country != b.authority_country
        )

    def _immediate_and_later(self, a: Candidate, b: Candidate) -> bool:
        """'have agreed to ban exports with immediate effect' and 'a previous decision to end such
        shipments in January 2020', told before January 2020: an action in force at once is not
        the same action as one that takes effect months after the article (GUIDELINES §3: one
        action is annotated once; an immediate one has no date of its own)."""
        if a.date is not None or b.date is None or b.modality != "planned":
            return False
        return any(w in a.sent.text.lower() for w in self.cue.immediate)

    def _receipt(self, c: Candidate) -> bool:
        """An authority receiving applications (cues.json permits.receipt_verbs)."""
        return c.trigger.lemma_ in self.cue.permits.receipt_verbs

    def _announced_then(self, a: Candidate, b: Candidate) -> bool:
        """'On Monday the cabinet approved a plan to take Ruritania off the list from June 3'
        told twice, once dated by the day it was approved and once by the day it takes
        effect: an action dated by its effective date and one dated by the day that action was
        announced (a date of the first one's sentence) are one action."""
        if a.date is None or b.date is None or a.date_role != "effective":
            return False
        if b.date_role == "effective" or self._is_start(b.date):
            return False
        return any(
            m.span.sent.start == a.sent.start
            and m.value == b.date.value
            and not self._is_effective(m)
            and not dating.takes_effect(m, self.effect)
            for m in self._mentions
        )

    def _own_commodities_differ(self, a: Candidate, b: Candidate) -> bool:
        """Two triggers of one sentence each name a specific commodity in their own clause (the
        trigger's subtree, less the other's), and they share none: two actions."""
        if a.trigger.i == b.trigger.i:
            return False
        ta, tb = {t.i for t in a.trigger.subtree}, {t.i for t in b.trigger.subtree}
        own_a = ta - tb if b.trigger.i in ta else ta  # an outer clause less the inner one
        own_b = tb - ta if a.trigger.i in tb else tb
        spans = a.trigger.doc.spans.get(COMMODITIES, [])
        la = self.labels.specific([c.label_ for c in spans if c.root.i in own_a])
        lb = self.labels.specific([c.label_ for c in spans if c.root.i in own_b])
        return bool(la) and bool(lb) and not set(la) & set(lb)

    def _merge(self, cands: list[Candidate]) -> list[Candidate]:
        """One event per action: dated mentions first, then undated ones join a compatible event."""
        events: list[Candidate] = []
        ordered = [c for c in cands if c.date is not None] + [c for c in cands if c.date is None]
        for c in ordered:
            target = None
            for e in events:
                if self._compatible(e, c) and (
                    target is None or (set(e.companies) & set(c.companies))
                ):
                    target = e
                    if set(e.companies) & set(c.companies) or not c.companies:
                        break
            if target is None:
                events.append(c)
                continue
            _fold(target, c)
        events.sort(key=lambda e: e.trigger.i)
        return events


# ---------------------------------------------------------------------------- candidates
SUBORDINATE = ("advcl", "relcl", "csubj", "csubjpass")  # clauses that qualify another
PRONOUNS = ("it", "its", "they", "their", "them")


def _own_clause(tok: Token) -> bool:
    """A subordinate clause with a subject of its own ("after the US imposed curbs", "which
    was extended"); a participle that shares its main clause's subject ("..., adding that")
    is part of that clause."""
    return tok.dep_ in SUBORDINATE and (
        tok.dep_ != "advcl" or any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
    )


def _in_trigger_clause(tok: Token, trigger: Token, firms: ArticleFirms, name: str) -> bool:
    """The firm belongs to the trigger's clause. A trigger in an adverbial, relative or subject
    clause has its parties inside that clause, in the noun a relative clause modifies, or refers
    to them by a pronoun ("after the US revoked its licence"); a participle ("an application
    filed in June") belongs to the clause of the noun it follows (the walk passes it). A firm
    of the main clause ("X designed the chip after the US imposed curbs", "the suspension,
    which was extended, hurt X") is not one of the trigger's parties."""
    clause = trigger
    while not _own_clause(clause) and clause.head.i != clause.i:
        clause = clause.head
    if not _own_clause(clause):
        return True
    if clause.dep_ == "relcl":
        scope = clause.head
        if firms.by_token.get(scope.i) == name:
            return True  # "X, which was granted a licence"
    else:
        scope = clause
    if scope.left_edge.i <= tok.i <= scope.right_edge.i:
        return True
    return any(t.lower_ in PRONOUNS for t in scope.subtree)


def _candidates(doc: Doc) -> list[Candidate]:
    out = []
    for trig, obj in zip(
        doc.spans.get(TRIGGERS, []), doc.spans.get(TRIGGER_OBJECTS, []), strict=False
    ):
        rule, _, subtype = trig.kb_id_.partition(":")
        out.append(
            Candidate(
                trigger=trig.root,
                obj=obj.root,
                type=trig.label_,
                rule=rule,
                subtype=subtype or None,
            )
        )
    return out


def _locate_dates(doc: Doc, dates: list[PolicyDateFact]) -> list[DateMention]:
    out = []
    for fact in dates:
        span = doc.char_span(fact.start_char, fact.end_char, alignment_mode="expand")
        if span is not None and len(span):
            out.append(DateMention(fact, span))
    return out


def _lower_window(tok: Token, size: int) -> str:
    sent = tok.sent
    return " ".join(t.lower_ for t in tok.doc[max(sent.start, tok.i - size) : tok.i])


RESTRICTING = frozenset(
    {
        "control_introduced",
        "control_tightened",
        "control_extended",
        "ban_introduced",
        "permit_denied",
    }
)
EASING = frozenset({"control_suspended", "control_lifted", "ban_lifted", "permit_issued"})


def _direction(etype: str) -> int:
    """+1 for types that restrict trade, -1 for those that ease it, 0 for applications."""
    return 1 if etype in RESTRICTING else -1 if etype in EASING else 0


def _in_anchored_phrase(trig: Token, preps: set[str]) -> bool:
    """'Coming amid heightened scrutiny of Huawei', 'after imposing curbs': the trigger is (a
    modifier of) the object of a preposition that anchors it to another moment."""
    cur = trig
    for _ in range(3):
        if cur.dep_ in ("pobj", "pcomp") and cur.head.lower_ in preps:
            return True
        if cur.dep_ not in ("amod", "compound", "acl", "nmod") or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


# a clause that dates the document telling the action ("a statement the government issued on
# Thursday", "a notification issued late Friday"), not an action of its own
ISSUING_VERBS = ("issue", "sign", "date", "post", "dated")


CLAUSE_OWN_DEPS = ("nsubj", "nsubjpass", "aux", "auxpass", "mark")


def _own_clause_verb(tok: Token, measures: Sequence[str]) -> bool:
    """The verb of a relative clause ("the ban that it imposed in 2023") or a past participle
    that tells a measure's own history ("a requirement, introduced in March,", "Imposed in
    2024, the ban ..."): a date under
    it dates that clause's own action. A participle of anything else ("vessels already loaded
    on Jan. 12", "permits covering 2,400 tonnes") is too often a misparse to tell."""
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    if tok.dep_ == "relcl":
        return True
    if tok.dep_ == "advcl" and tok.tag_ == "VBN" and tok.i < tok.head.i:
        # "Imposed in December 2024, the ban will now be suspended": a fronted participle
        # with no subject of its own tells the subject's history
        return not any(ch.dep_ in CLAUSE_OWN_DEPS for ch in tok.children)
    return tok.dep_ == "acl" and tok.tag_ == "VBN" and tok.head.lemma_.lower() in measures


def _within(tok: Token, head: Token) -> bool:
    """The token lies in the head's phrase (its subtree's span)."""
    return head.left_edge.i <= tok.i <= head.right_edge.i


def _gerund_subject(trig: Token) -> bool:
    """A gerund with no subject or auxiliary of its own that stands as a clause's subject
    ("Pausing new permits forms one element of ...", "argues that blocking exports forces
    ..."): it names a kind of action, it does not report one."""
    if trig.tag_ != "VBG" or trig.dep_ not in ("csubj", "csubjpass", "ROOT", "ccomp"):
        return False
    return not any(ch.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass") for ch in trig.children)


def _hedged_complement(trig: Token, modals: set[str]) -> bool:
    """'a harvest that could let New Delhi permit exports': the trigger completes a verb that
    a hedging modal governs."""
    cur = trig
    for _ in range(4):
        if cur.dep_ not in ("xcomp", "ccomp") or cur.head.i == cur.i:
            return False
        cur = cur.head
        if any(ch.dep_ == "aux" and ch.lower_ in modals for ch in cur.children):
            return True
    return False


# ---------------------------------------------------------------------------- dates
def _other_actors_clause(clause: Token, firm: Token) -> bool:
    """`clause` is a subordinate clause with a subject of its own ("even as the administration
    keeps sanctions on Y", "while the US curbs sales to Y") and `firm` is no part of that
    subject: the firm is what that clause's actor acts on, not a party of the main action.
    Its subject may be one ("after X applied in May": X applied for the licence granted)."""
    if clause.dep_ != "advcl" or not any(ch.dep_ == "mark" for ch in clause.children):
        return False
    subject = next((ch for ch in clause.children if ch.dep_ in ("nsubj", "nsubjpass")), None)
    return subject is not None and not (subject.left_edge.i <= firm.i <= subject.right_edge.i)


def _path(a: Token, b: Token) -> tuple[list[Token], list[Token]] | None:
    """Tokens going up from a to the lowest common ancestor, and down from it to b."""
    up_a = [a, *a.ancestors]
    pos_b = {t.i: k for k, t in enumerate([b, *b.ancestors])}
    for k, t in enumerate(up_a):
        if t.i in pos_b:
            down = [b, *b.ancestors][: pos_b[t.i]]
            return up_a[: k + 1], down
    return None


STATE_ARGS = {"dobj", "nsubj", "nsubjpass", "attr", "amod", "xcomp", "acomp", "oprd", "compound"}


def _perfect(trigger: Token) -> bool:
    """'has required', 'have banned': the present perfect that reports a state since a start."""
    return any(ch.dep_ == "aux" and ch.lower_ in ("has", "have", "'ve") for ch in trigger.children)


def _noun_path(tok: Token, trigger: Token) -> bool:
    """The token hangs on the trigger through nouns and prepositions only (its object phrase),
    never through another verb."""
    for _ in range(6):
        if tok.head.i == trigger.i:
            return True
        if tok.head.i == tok.i or tok.head.pos_ not in ("NOUN", "PROPN", "ADP"):
            return False
        tok = tok.head
    return False


def _starts_state(m: DateMention, trigger: Token) -> bool:
    """'have banned exports since 2020', 'has required a licence since September 2024': a
    "since DATE" phrase of the trigger's own verb is the start of the state it reports
    (GUIDELINES §3: a state with an explicit start date counts as an introduction); a "since"
    phrase of some other verb ("prices have risen since July") is not."""
    first = m.span[0]
    since = first if first.lower_ == "since" else first.nbor(-1) if first.i > 0 else first
    if since.lower_ != "since" or since.dep_ == "mark":
        return False
    head = since.head
    if head.i == trigger.i:
        return True
    if _perfect(trigger) and head.pos_ == "NOUN" and _noun_path(head, trigger):
        return True  # "has required authorisation for exports since January": the small
        # parser hangs the phrase on the nearest noun of the object
    return (trigger.head.i == head.i and trigger.dep_ in STATE_ARGS) or (
        trigger.head.head.i == head.i
        and trigger.dep_ in STATE_ARGS
        and trigger.head.dep_ in STATE_ARGS
    )


def _anchor_token(m: DateMention, group: list[Candidate]) -> Token:
    """Where a date hangs in the parse. A date right after a trigger's object ("postpone
    measures from September 29 that would have expanded ...") qualifies that object."""
    first = m.span[0]
    for c in group:
        if c.obj.i != c.trigger.i and first.i == c.obj.i + 1 and c.obj.pos_ == "NOUN":
            return c.obj
    return m.span.root


def _depth(tok: Token) -> int:
    return sum(1 for _ in tok.ancestors)


# ---------------------------------------------------------------------------- merging
def _dates_compatible(a: Candidate, b: Candidate) -> bool:
    if a.date is None or b.date is None:
        return True
    x, y = a.date.value, b.date.value
    return x.startswith(y) or y.startswith(x)


ID_PREFIXES = ("no", "no.", "number", "#")


def _object_id(obj: Token) -> str | None:
    """The number that names the acted-on instrument ("General License 43", "Licence No. 41"):
    instruments with different numbers are different instruments, so two actions."""
    doc = obj.doc
    i = obj.i + 1
    if i < len(doc) and doc[i].lower_ in ID_PREFIXES:
        i += 1
    if i < len(doc) and any(ch.isdigit() for ch in doc[i].text) and doc[i].sent == obj.sent:
        return doc[i].text.upper()
    return None


def _fold(into: Candidate, other: Candidate) -> None:
    """Keep the most precise date (and its sentence), union firms and commodities."""
    if other.date is not None and (
        into.date is None
        or len(other.date.value) > len(into.date.value)
        or (  # GUIDELINES §3: the effective date first
            other.date_role == "effective" != into.date_role
            and len(other.date.value) == len(into.date.value)
        )
    ):
        into.date, into.date_role = other.date, other.date_role
        into.trigger, into.obj = other.trigger, other.obj
    into.mentions += other.mentions
    for name in other.companies:
        if name not in into.companies:
            into.companies.append(name)
    if into.commodity_inherited and not other.commodity_inherited:
        into.commodities, into.commodity_inherited = other.commodities, False
    if not into.authority_stated and other.authority_stated:
        into.authority, into.authority_country = other.authority, other.authority_country
        into.authority_stated = True


def to_fact(c: Candidate) -> EventFact:
    date = c.output_date
    sent = c.sent
    text = sent.text
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    start = sent.start_char + lead
    return EventFact(
        type=c.type,
        evidence=stripped,
        start_char=start,
        end_char=start + len(stripped),
        authority=c.authority,
        authority_country=c.authority_country,
        companies=list(c.companies),
        commodity=commodities.join(c.commodities),
        commodity_detail=", ".join(c.commodity_terms) or None,
        event_date=date.value if date else None,
        date_granularity=date.fact.granularity if date else None,
        date_text=date.fact.text if date else None,
        modality=c.modality,  # type: ignore[arg-type]
        subtype=c.subtype,
        trigger=c.trigger.text,
    )
