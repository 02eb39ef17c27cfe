"""Entry point for ``python -m analytics``."""
import sys

from .cli import main

sys.exit(main())
