"""``python -m generator``: the same as the ``briefing`` command."""

from .console import main

main()
