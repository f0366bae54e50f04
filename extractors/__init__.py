"""Text → facts. One subpackage per fact kind, each with its spaCy component, its rules and its
fact assembly: orgs/, companies/, commodities/, events/, dates/, validity/; shared text helpers
in text/, page parsing in page/. `document.extract_doc` is the table of contents: the order in
which one article's facts are assembled. `engine.Extractor` runs it over many articles.
"""
