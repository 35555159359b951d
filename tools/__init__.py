"""Developer tooling, not installed with the package: benchmarks (bench), the Recognizers-Text peer
runner and its number mode (peer, numbers), NER training (ner_train, ner_numpy_train). It may import
pipeline; pipeline never imports tools."""
