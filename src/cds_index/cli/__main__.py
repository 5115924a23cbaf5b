"""`python -m cds_index.cli`: the same as the `cds-index` command."""

from .main import main

raise SystemExit(main())
