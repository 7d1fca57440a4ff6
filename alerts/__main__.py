"""``python -m alerts``: see alerts/cli.py."""

import sys

from alerts.cli import main

if __name__ == "__main__":
    sys.exit(main())
