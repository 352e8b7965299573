# minijax: two commands do all set-up on a fresh machine (Python >= 3.11).
#   make book   build and render the book (executes every chapter) -> _build/html
#   make test   run every test: tests/ and every book chapter (nbval)
# Also: make lab (chapters as notebooks in JupyterLab), make bench (benchmarks).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: test book lab lab-deps exercises check grade bench myst-check clean

# Chapters time computations at build time. One BLAS thread keeps those
# timings steady on a busy or small machine (benchmarks use the default).
BOOK_ENV := OPENBLAS_NUM_THREADS=1

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.test-deps: pyproject.toml | $(PY)
	$(PIP) -e ".[test]"
	@touch $@

$(VENV)/.book-deps: pyproject.toml | $(PY)
	$(PIP) -e ".[test,book]"
	@touch $@

# JupyterLab reads settings overrides from the environment it runs in: ours make
# a double-click on a chapter (.md) open it as a notebook (jupytext's viewer).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

$(VENV)/.lab-deps: pyproject.toml tools/lab-overrides.json | $(PY)
	$(PIP) -e ".[test,book,lab]"
	mkdir -p $(LAB_SETTINGS)
	cp tools/lab-overrides.json $(LAB_SETTINGS)/overrides.json
	@touch $@

$(VENV)/.bench-deps: pyproject.toml | $(PY)
	$(PIP) -e ".[bench]"
	@touch $@

# Compiled programs of the chapters, kept between runs (minijax's persistent
# compilation cache): a rebuild, and the chapters' run under `make test` after
# `make book`, load them instead of compiling again. Only the chapters use it
# (conftest.py hands it to their kernels): for tests/, which compile thousands
# of small programs once each, writing entries costs more than it saves.
CACHE_DIR := $(CURDIR)/_build/xla-cache

test: $(VENV)/.test-deps
	$(BOOK_ENV) MINIJAX_BOOK_CACHE_DIR=$(CACHE_DIR) $(PY) -m pytest tests book --nbval-lax --nbval-current-env -q -n auto --dist loadfile

book: $(VENV)/.book-deps
	$(BOOK_ENV) MINIJAX_COMPILATION_CACHE_DIR=$(CACHE_DIR) $(VENV)/bin/sphinx-build -E -W --keep-going -q -b html book _build/html
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

myst-check: $(VENV)/.book-deps
	$(PY) .ci/myst_check.py

# jupytext enables its own server extension when installed; book/jupytext.toml
# says how it reads and writes the chapters. Students: make lab LAB_DIR=exercises.
LAB_DIR ?= book
lab: $(VENV)/.lab-deps
	$(VENV)/bin/jupyter lab $(LAB_DIR)

lab-deps: $(VENV)/.lab-deps

# Students and teachers (tools/exercises.py; see the README):
#   make exercises              student edition, one notebook per chapter, in exercises/
#   make check CHAPTER=05       check exercises/05_*.ipynb (or NOTEBOOK=path)
#   make grade SUBMISSIONS=dir  a student x exercise table for a folder of notebooks
exercises: $(VENV)/.test-deps
	$(PY) tools/exercises.py edition

check: $(VENV)/.test-deps
	$(if $(or $(NOTEBOOK),$(CHAPTER)),,$(error say which: make check CHAPTER=05, or NOTEBOOK=path))
	$(BOOK_ENV) $(PY) tools/exercises.py check $(or $(NOTEBOOK),$(CHAPTER))

grade: $(VENV)/.test-deps
	$(if $(SUBMISSIONS),,$(error say where: make grade SUBMISSIONS=folder))
	$(BOOK_ENV) $(PY) tools/exercises.py grade $(SUBMISSIONS)

bench: $(VENV)/.bench-deps
	$(PY) benchmarks/run.py

clean:
	rm -rf _build .pytest_cache
