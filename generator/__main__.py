"""``python -m generator``: the same as the ``briefing`` command."""

from .cli import main

main()
