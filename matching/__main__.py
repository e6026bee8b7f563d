"""Entry point for ``python -m matching``."""

from matching.cli import main

raise SystemExit(main())
