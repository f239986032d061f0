# Two commands for a fresh Debian machine: `make demo` and `make test`. Each installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup system-deps venv test test-install demo lint bench clean catalogs package

CLIPS := var/clips/manifest.json

setup: system-deps venv $(CLIPS)

system-deps:
	@scripts/install-system-deps.sh

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-*; touch $@

# the display's spoken-call clips, generated offline with espeak-ng (never committed)
$(CLIPS): display/speech.py display/clips.py | venv
	$(PY) -m display.clips --out var/clips

catalogs: venv
	$(PY) -m smartqueue.i18n_build

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider -m "not install" --durations=15

demo: setup
	$(PY) -m smartqueue demo

lint: venv
	$(PY) -m ruff check .

# one PyInstaller bundle, one .deb per role (smartqueue, smartqueue-apps, smartqueue-camera), and a signed apt
# repository in dist/apt (key in $$SQ_REPO_GNUPGHOME, default var/repo-key, made on first use; see packaging/apt_repo.py)
package: setup
	$(PY) packaging/build_bundle.py --dist dist --work build/pyinstaller
	rm -f dist/*.deb
	$(PY) packaging/build_deb.py --bundle dist/smartqueue --out dist
	$(PY) packaging/apt_repo.py --debs dist --repo dist/apt --new-key

# the packages installed, run, upgraded and purged in a clean Debian 12 root (cached debootstrap); CI runs it too
test-install: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider -m install tests/packaging

bench: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

clean:
	rm -rf $(VENV) build dist .pytest_cache
