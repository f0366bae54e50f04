"""`tradeline train`: build the trained parts from the annotated corpus, reproducibly.

For each part (`PARTS`): compute its feature rows from the labelled articles with the rule
pipeline (built without trained parts, so features never depend on an older model), write them
as spaCy DocBins, run `spacy train` with the part's config in models/training/, and copy the
best model to models/trained/<part>/. models/trained/manifest.json records, per part, the hash
of its training data (every feature row and label, and the config), the example counts and the
dev score; its `hash` combines them and every extraction run stores it (like the assets hash).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from tradeline.extractors.learned import corpus
from tradeline.extractors.learned.classifier import EMPTY, FeatureClassifier
from tradeline.extractors.learned.corpus import LabelledArticle
from tradeline.models.assets import MODELS_DIR

Row = tuple[list[str], dict[str, float]]  # feature words, {label: 0/1}
TRAINING_DIR = MODELS_DIR / "training"
TRAINED_DIR = MODELS_DIR / "trained"
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Part:
    """One trained part: its config and how its rows come from labelled docs. `needs`: the
    trained components (pipeline component names, with their part) whose output its features
    read; they are trained first and join the rule pipeline before its rows are computed when
    the pipeline definition runs them. A part that is not `default` is trained only by name."""

    name: str
    rows: Callable[[Language, Doc, LabelledArticle], list[Row]]
    needs: tuple[tuple[str, str], ...] = ()
    default: bool = True  # trained by a plain `tradeline train`
    # Keep the checkpoint that scores best on dev; False: the last one (a dev split with a
    # dozen rows picks a checkpoint by chance, often the untrained first one).
    best: bool = True
    # Read eval/real's tune part too. Only the company filter does: with it, the relevance
    # score took real near-miss news (commodity and licence stories) for trade reports (5 false
    # events in 40 pages against 1) and the event confidence gained nothing on real-check.
    real: bool = False

    @property
    def config(self) -> Path:
        return TRAINING_DIR / f"{self.name}.cfg"


def relevance_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    from tradeline.extractors.relevance.features import lead_words

    trade = article.source in ("trade", "synth")
    return [(lead_words(doc), {"TRADE": float(trade), "OTHER": float(not trade)})]


def _overlap(a: str, b: str) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    return bool(a) and bool(b) and (a in b or b in a or a[:40] == b[:40])


def matched_events(facts: Sequence[Any], gold: Sequence[dict[str, Any]]) -> list[bool]:
    """Which predicted events a scorer would count as right (GUIDELINES: same type, one to one),
    preferring the gold event whose evidence is the same sentence, then one of the same date."""
    pairs = []
    for i, fact in enumerate(facts):
        for j, g in enumerate(gold):
            if g.get("type") != fact.type:
                continue
            same_sentence = _overlap(fact.evidence, g.get("evidence") or "")
            dated = bool(g.get("event_date")) and str(fact.event_date or "").startswith(
                str(g["event_date"])
            )
            pairs.append((-(4 * same_sentence + 2 * dated), i, j))
    pairs.sort()
    used_f: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i not in used_f and j not in used_g:
            used_f.add(i)
            used_g.add(j)
    return [i in used_f for i in range(len(facts))]


def _sentence_golds(sent_text: str, gold: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [g for g in gold if _overlap(sent_text, g.get("evidence") or "")]


def type_labels(cands: Sequence[Any], gold: Sequence[dict[str, Any]]) -> list[str | None]:
    """The gold type each candidate states, from the gold events whose evidence is its sentence:
    its own type when the sentence has an event of that type, else the sentence's one type (or
    the one type no candidate of the sentence proposed); None outside gold sentences and when
    it cannot be told."""
    out: list[str | None] = []
    for c in cands:
        golds = _sentence_golds(c.sent.text, gold)
        types = {g["type"] for g in golds}
        proposed = {o.type for o in cands if o.sent.start == c.sent.start}
        unmatched = types - proposed
        if c.type in types:
            out.append(c.type)
        elif len(types) == 1:
            out.append(next(iter(types)))
        elif len(unmatched) == 1:
            out.append(next(iter(unmatched)))
        else:
            out.append(None)
    return out


def _finder_inputs(nlp: Language, doc: Doc, article: LabelledArticle) -> tuple[Any, Any, Any]:
    from tradeline.extractors.companies.facts import find_companies
    from tradeline.extractors.dates.facts import find_date_mentions
    from tradeline.extractors.pipes import Pipes

    pipes = Pipes.of(nlp)
    firms = find_companies(doc, pipes.companies)
    return pipes, firms, find_date_mentions(doc, article.published, pipes.dates)


def event_type_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    from tradeline.extractors.events.facts import EventFinder
    from tradeline.extractors.events.features import type_features
    from tradeline.records import EVENT_TYPES

    if not article.events:
        return []
    pipes, firms, mentions = _finder_inputs(nlp, doc, article)
    cands = EventFinder(pipes).proposed(doc, firms, mentions)
    return [
        (type_features(c), {t: float(t == label) for t in EVENT_TYPES})
        for c, label in zip(cands, type_labels(cands, article.events), strict=True)
        if label is not None
    ]


def event_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    from tradeline.extractors.events.facts import EventFinder, to_fact
    from tradeline.extractors.events.features import event_features

    pipes, firms, mentions = _finder_inputs(nlp, doc, article)
    merged = EventFinder(pipes).merged(doc, article.published, firms, mentions)
    labels = matched_events([to_fact(c) for c in merged], article.events)
    return [
        (event_features(c, doc), {"REAL": float(y), "NOISE": float(not y)})
        for c, y in zip(merged, labels, strict=True)
    ]


def proposal_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    """One row per sentence: the types of the gold events whose evidence it is (NONE when it
    states none; every sentence of a near-miss or general news page is NONE)."""
    from tradeline.extractors.events.proposals import MIN_WORDS, NONE, sentence_words
    from tradeline.records import EVENT_TYPES

    rows: list[Row] = []
    for sent in doc.sents:
        words = sentence_words(sent)
        if sum(not w.startswith("ent=") for w in words) < MIN_WORDS:
            continue  # the proposer never reads these
        types = {g["type"] for g in _sentence_golds(sent.text, article.events)}
        cats = {t: float(t in types) for t in EVENT_TYPES}
        cats[NONE] = float(not types)
        rows.append((words, cats))
    return rows


_LEGAL = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "plc",
    "llc",
    "sa",
    "ag",
    "nv",
    "bv",
    "se",
    "spa",
    "gmbh",
    "kk",
    "group",
    "holdings",
    "holding",
    "the",
}  # GUIDELINES §2: what the scorer strips from a firm's name before comparing


def _name_tokens(name: str) -> list[str]:
    toks = re.findall(r"[a-z0-9]+", (name or "").casefold())
    while toks and toks[-1] in _LEGAL:
        toks.pop()
    while toks and toks[0] == "the":
        toks.pop(0)
    return toks


def _names(firm: dict[str, Any]) -> list[list[str]]:
    forms = [firm.get("name"), firm.get("canonical"), *(firm.get("aliases") or [])]
    return [t for t in (_name_tokens(f) for f in forms if f) if t]


def same_gold_firm(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """GUIDELINES §2 matching of two firms: a shared name, a name that begins the other, or
    names sharing most words (the scorer's rule)."""
    for x in _names(a):
        for y in _names(b):
            short, long_ = (x, y) if len(x) <= len(y) else (y, x)
            if long_[: len(short)] == short or len(set(x) & set(y)) / len(set(x) | set(y)) >= 0.6:
                return True
    return False


def company_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    """One row per firm candidate the rules found (gazetteer firms are not judged): FIRM when
    it is one of the article's gold firms. Only articles annotated for firms count."""
    from tradeline.extractors.companies.facts import cluster_fact, cluster_features, cluster_firms
    from tradeline.extractors.pipes import Pipes

    if article.source not in ("trade", "real", "synth"):
        return []
    companies = Pipes.of(nlp).companies
    rows: list[Row] = []
    for cluster in cluster_firms(doc, companies):
        if cluster.known:
            continue
        fact = cluster_fact(doc, cluster, companies.names)
        firm = {"name": fact.name, "canonical": fact.canonical, "aliases": fact.aliases}
        label = float(any(same_gold_firm(firm, g) for g in article.companies))
        features = cluster_features(doc, cluster, companies)
        rows.append((features, {"FIRM": label, "OTHER": 1 - label}))
    return rows


def date_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    from tradeline.extractors.learned.date_labels import attachment_rows

    return attachment_rows(nlp, doc, article)


def policy_date_rows(nlp: Language, doc: Doc, article: LabelledArticle) -> list[Row]:
    """One row per date the rules keep as a policy date: POLICY when it is a gold policy date.
    Only articles annotated for policy dates count (the trade reports and synth)."""
    from tradeline.extractors.dates.facts import find_policy_dates
    from tradeline.extractors.pipes import Pipes
    from tradeline.extractors.policy_dates.filter import date_rows
    from tradeline.extractors.policy_dates.labels import policy_labels

    if article.source not in ("trade", "synth") or article.gold is None:
        return []
    facts = find_policy_dates(doc, article.published, Pipes.of(nlp).dates)
    labels = policy_labels(facts, article.gold.get("policy_dates", []))
    return [
        (words, {"POLICY": float(y), "OTHER": float(not y)})
        for (_, words), y in zip(date_rows(doc, facts), labels, strict=True)
    ]


# In training order: a part comes after the parts it needs.
PARTS: dict[str, Part] = {
    "relevance": Part("relevance", relevance_rows),
    "event_types": Part("event_types", event_type_rows, default=False),
    "event_proposals": Part("event_proposals", proposal_rows, default=False, best=False),
    "events": Part(
        "events",
        event_rows,
        needs=(
            ("tradeline_event_types", "event_types"),
            ("tradeline_event_proposals", "event_proposals"),
        ),
    ),
    "companies": Part("companies", company_rows, best=False, real=True),
    "dates": Part("dates", date_rows, default=False),
    "policy_dates": Part("policy_dates", policy_date_rows),
}


def rows_hash(rows: Sequence[Row], config: bytes) -> str:
    """sha256 over the config and every row (features and labels, in order)."""
    digest = hashlib.sha256(config)
    for words, cats in rows:
        digest.update(json.dumps([words, sorted(cats.items())], ensure_ascii=False).encode())
    return digest.hexdigest()


def _docbin(nlp: Language, rows: Sequence[Row]) -> DocBin:
    out = DocBin()
    for words, cats in rows:
        doc = Doc(nlp.vocab, words=words or [EMPTY])
        doc.cats = cats
        out.add(doc)
    return out


def _fit(part: Part, train: list[Row], dev: list[Row], out: Path, work: Path) -> None:
    """`spacy train` the part's config on the rows; the best model goes to `out`."""
    from spacy.cli.train import train as spacy_train

    blank = spacy.blank("en")
    _docbin(blank, train).to_disk(work / "train.spacy")
    _docbin(blank, dev).to_disk(work / "dev.spacy")
    spacy_train(
        part.config,
        output_path=work / "model",
        overrides={"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")},
    )
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(work / "model" / ("model-best" if part.best else "model-last"), out)
    # The saved config names the temporary corpora; without them a retrain is byte-identical.
    config = out / "config.cfg"
    text = config.read_text(encoding="utf-8")
    for name in ("train", "dev"):
        text = text.replace(f'{name} = "{work / f"{name}.spacy"}"', f"{name} = null")
    config.write_text(text, encoding="utf-8")


def _auc(scores: list[float], gold: list[bool]) -> float | None:
    pos = [s for s, y in zip(scores, gold, strict=True) if y]
    neg = [s for s, y in zip(scores, gold, strict=True) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def evaluate(model: FeatureClassifier, rows: Sequence[Row]) -> dict[str, Any]:
    """Dev AUC of the first label and the accuracy at 0.5; with more than two labels, the
    accuracy of the most probable label."""
    if len(model.labels) > 2:
        scores = model.scores([words for words, _ in rows])
        right = sum(
            max(s, key=lambda k: s[k]) == max(cats, key=lambda k: cats[k])
            for s, (_, cats) in zip(scores, rows, strict=True)
        )
        return {"labels": len(model.labels), "accuracy": round(right / max(len(rows), 1), 4)}
    label = model.labels[0]
    scores = [s[label] for s in model.scores([words for words, _ in rows])]
    gold = [cats.get(label, 0.0) >= 0.5 for _, cats in rows]
    correct = sum((s >= 0.5) == g for s, g in zip(scores, gold, strict=True))
    return {"label": label, "auc": _auc(scores, gold), "accuracy": round(correct / len(rows), 4)}


def build_rows(
    nlp: Language, articles: Sequence[LabelledArticle], docs: Sequence[Doc], part: Part
) -> dict[str, list[Row]]:
    """rows[split] of one part for every (already parsed) article."""
    out: dict[str, list[Row]] = {"train": [], "dev": []}
    for article, doc in zip(articles, docs, strict=True):
        if article.source != "real" or part.real:
            out[article.split].extend(part.rows(nlp, doc, article))
    return out


def _join(nlp: Language, part: Part, out_dir: Path, running: Sequence[str]) -> None:
    """Add the trained components `part` needs and the pipeline runs (`running`), from
    `out_dir`, to the rule pipeline (they change no Doc: the facts call them)."""
    for component, needed in part.needs:
        if component in nlp.pipe_names:
            nlp.remove_pipe(component)
        if component not in running:
            continue
        pipe = nlp.add_pipe(component)
        pipe.initialize(lambda: [], nlp=nlp, model=str(out_dir / needed))


def train(
    names: Sequence[str] | None = None,
    *,
    model_name: str,
    out_dir: Path = TRAINED_DIR,
    repo: Path = corpus.REPO,
    shared: Path = corpus.SHARED,
    log: Callable[[str], None] = print,
    assets_dir: Path | None = None,
) -> dict[str, Any]:
    """Train the named parts (the default ones when none) into `out_dir`, with the rule
    pipeline of `assets_dir` (None: the packaged models/); returns the manifest."""
    from tradeline.extractors.pipeline import build_pipeline
    from tradeline.models.assets import Assets

    running = Assets.at(assets_dir).definition()["pipeline"].get("trained", [])
    wanted = set(names or [name for name, part in PARTS.items() if part.default])
    parts = [part for name, part in PARTS.items() if name in wanted]  # in training order
    articles = corpus.load(repo, shared)
    if not any(a.source == "trade" for a in articles):
        log(f"note: {shared / 'corpus' / 'trade-news'} not found; training without real reports")
    nlp = build_pipeline(model_name, assets_dir, trained=False)
    docs = list(nlp.pipe((a.text for a in articles), batch_size=32))
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    manifest: dict[str, Any] = (
        json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest_path.is_file()
        else {"version": MANIFEST_VERSION, "parts": {}}
    )
    for part in parts:
        _join(nlp, part, out_dir, running)
        rows = build_rows(nlp, articles, docs, part)
        train_rows, dev_rows = rows["train"], rows["dev"]
        log(f"{part.name}: {len(train_rows)} training rows, {len(dev_rows)} dev rows")
        with tempfile.TemporaryDirectory() as tmp:
            _fit(part, train_rows, dev_rows, out_dir / part.name, Path(tmp))
        model = FeatureClassifier.load(out_dir / part.name)
        manifest["parts"][part.name] = {
            "data_hash": rows_hash(train_rows + dev_rows, part.config.read_bytes()),
            "n_train": len(train_rows),
            "n_dev": len(dev_rows),
            "dev": evaluate(model, dev_rows),
            "spacy": spacy.__version__,
            "base_model": f"{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        }
    combined = hashlib.sha256()
    for name in sorted(manifest["parts"]):
        combined.update(f"{name}:{manifest['parts'][name]['data_hash']}\n".encode())
    manifest["hash"] = combined.hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8")
    return manifest
