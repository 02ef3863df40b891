"""`python -m agc.cli`: the `agc` command."""

import sys

from .main import main

sys.exit(main())
