"""python/apportion/_core.pyi against the extension it describes.

mypy's stubtest imports apportion._core and compares it with the stub: a
function the extension has and the stub lacks (or the reverse), and, where
the glue gives a function a text signature, a parameter named or ordered
differently, all fail here, so the types the package is checked with stay
those of the C functions it calls.
"""

import subprocess
import sys


def test_the_stub_matches_the_extension():
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "apportion._core"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
