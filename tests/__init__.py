"""The test suite (a package, so its modules import each other's helpers).

Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set (as on the project's machines): without it
every xdist worker, and every `python -m cds_index` a test starts, compiles the package and rewrites the
tests' asserts anew, about 8 s of each worker's collection on 2 cores. `__pycache__/` is ignored by git.
This package is imported before its conftest, so the choice holds for every test module.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
