"""Run the command line as ``python -m node.cli``."""

import sys

from node.cli import main

sys.exit(main())
