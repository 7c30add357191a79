"""``python -m conformance`` = the ``conformance`` console script."""

import sys

from .cli import main

sys.exit(main())
