"""``python -m identkit`` runs the ``identkit`` command."""

import sys

from .cli import main

sys.exit(main())
