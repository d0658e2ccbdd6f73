"""`sangdam --help` answers at once: it needs neither Django nor the apps loaded."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.conftest import ROOT

PROBE = (
    "import sys; sys.argv = ['sangdam', '--help']; from sangdam.cli import main; main(); "
    "print('django loaded' if 'django.apps' in sys.modules else 'django not loaded')"
)


def test_sangdam_help_lists_the_commands_without_loading_django() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "sangdam worker" in out and "sangdam help" in out
    assert out.strip().endswith("django not loaded")
