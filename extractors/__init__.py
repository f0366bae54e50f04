"""Text → facts.

One subpackage per fact kind — orgs/, companies/, commodities/, events/, dates/, validity/ —
each holding its spaCy component (component.py: a registered factory that owns its data files),
its rules, and its fact assembly (facts.py: Doc → records); shared text helpers in text/, page
parsing in page/. `document.extract_doc` is the table of contents: the order in which one
article's facts are assembled. `pipeline.build_pipeline` builds the pipeline from an assets
folder (models/), `engine.Extractor` runs it over many articles, `batch.run_extract` is the
`tradeline extract` contract.
"""
