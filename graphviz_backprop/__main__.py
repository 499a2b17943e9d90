"""``python -m graphviz_backprop``: the same as the ``gbp`` command."""

import sys

from .cli import main

sys.exit(main())
