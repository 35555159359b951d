import pytest

from pipeline.paths import REPO as ROOT, SHARED

REPORTS = SHARED / "corpora" / "reports" / "texts"

needs_shared = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared is not beside the repository")
