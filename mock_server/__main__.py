"""``python -m mock_server`` — same as ``mock-server``."""

from .cli import main

raise SystemExit(main())
