"""``python -m data_ingest``: see data_ingest/cli.py."""

import sys

from data_ingest.cli import main

if __name__ == "__main__":
    sys.exit(main())
