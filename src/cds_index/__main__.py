"""`python -m cds_index`: the same as the `cds-index` command."""

from .cli import main

raise SystemExit(main())
