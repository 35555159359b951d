"""Where things are: the repository, the shared corpora beside it, the shipped NER model. One place,
so no module computes `../shared` on its own."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent                       # the checkout (tests/, raw/ …) when run from one
SHARED = REPO.parent / "shared"             # corpora and peer suites, read-only, beside the checkout
MODEL_DIR = PACKAGE / "ner" / "model"
DATA_DIR = PACKAGE / "data"
