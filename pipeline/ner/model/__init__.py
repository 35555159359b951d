"""Package data: the shipped NER model (weights.npz, features.npz, meta.json)."""
