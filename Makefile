# Two commands on a fresh machine with only Python 3.11+ and make:
#   make site   - create .venv, install, build the site from seeds/ into site/
#   make test   - create/update .venv with test extras, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: site test serve check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

site: $(STAMP)
	$(BIN)/briefing build --site site

test: $(STAMP)
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/briefing serve

check: $(STAMP)
	$(BIN)/briefing check

bench: $(STAMP)
	$(BIN)/python bench/stages.py
	$(BIN)/python bench/run.py

clean:
	rm -rf site .briefing-cache
