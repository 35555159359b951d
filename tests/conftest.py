import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REPORTS = SHARED / "corpora" / "reports" / "texts"

needs_shared = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared is not beside the repository")
