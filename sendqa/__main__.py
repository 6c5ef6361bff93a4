"""``python -m sendqa`` runs the CLI."""

import sys

from sendqa.cli import main

sys.exit(main())
