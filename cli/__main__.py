"""``python -m cli …`` is ``netintel …``."""

from cli import main

main()
