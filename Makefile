# CareLedger: `make run` starts it with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export CARELEDGER_DATA ?= $(CURDIR)/var

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run demo test bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/careledger demo
	$(BIN)/careledger report
	$(BIN)/careledger serve

demo: $(STAMP)
	$(BIN)/careledger demo

# Browser tests drive Debian's chromium (Playwright's own download does not work here); a CJK font
# makes the Chinese screenshots readable; node fetches axe-core and the Nu HTML checker (Java).
browser:
	@missing="$$(command -v chromium >/dev/null 2>&1 || echo chromium) \
	  $$(fc-list :lang=zh | grep -q . || echo fonts-wqy-zenhei) \
	  $$(command -v npm >/dev/null 2>&1 || echo npm) \
	  $$(command -v java >/dev/null 2>&1 || echo default-jre-headless)"; \
	if [ -n "$$(echo $$missing)" ]; then \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

# axe-core (accessibility) and vnu-jar (the Nu HTML checker), from the npm registry, pinned
AXE := axe-core@4.14.1
VNU := vnu-jar@26.9.27
TOOLS := $(VENV)/browser-tools
TOOLS_STAMP := $(TOOLS)/.installed-$(subst @,-,$(AXE)-$(VNU))

$(TOOLS_STAMP): | browser
	npm install --prefix $(TOOLS) --no-audit --no-fund --no-save --loglevel=error $(AXE) $(VNU)
	touch $@

test: $(STAMP) browser $(TOOLS_STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
