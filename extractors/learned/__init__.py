"""Trained parts: small spaCy text classifiers over feature words, shipped in models/trained/.

`classifier.FeatureClassifier` runs one; `component.TrainedComponent` is the base of the
pipeline components that own one (relevance, event confidence); `corpus` reads the annotated
articles they learn from and `train` builds them (`tradeline train`).
"""
