"""``python -m gemsim``: the same as the ``gemsim`` command."""

import sys

from gemsim.cli import main

sys.exit(main())
