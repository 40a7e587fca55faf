"""generator.console: the `briefing` console script and `python -m generator`."""

from __future__ import annotations

import ast
import gc
import subprocess
import sys

import pytest

from generator import __version__, cli, console


@pytest.mark.parametrize("enabled", [True, False])
def test_the_command_runs_with_the_cycle_collector_as_it_was(monkeypatch, enabled):
    seen = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.isenabled()))
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        console.main()
        assert seen == [enabled] and gc.isenabled() == enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_command_line_is_imported_with_the_cycle_collector_paused():
    """In a fresh interpreter: whether the collector was on as each module of the package
    started loading (Python's "import" audit event)."""
    code = (
        "import gc, sys\n"
        "states = {}\n"
        "sys.addaudithook(lambda event, args: event == 'import' and args[0].startswith('generator')"
        " and states.setdefault(args[0], gc.isenabled()))\n"
        "from generator import console\n"
        "sys.argv = ['briefing', '--version']\n"
        "try:\n"
        "    console.main()\n"
        "except SystemExit:\n"
        "    print(states, gc.isenabled())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == f"briefing {__version__}", proc.stderr
    states, enabled = lines[1].rsplit(" ", 1)
    loaded = ast.literal_eval(states)
    assert loaded["generator.console"] is True and enabled == "True"
    assert loaded["generator.cli"] is False and loaded["generator.pipeline"] is False


def test_python_dash_m_generator_is_the_briefing_command():
    proc = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == f"briefing {__version__}", proc.stderr
