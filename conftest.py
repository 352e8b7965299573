"""Collect the book's MyST-Markdown chapters as notebooks for nbval.

nbval only collects ``*.ipynb``; this hook reads the ``book/*.md`` text
notebooks with jupytext and hands them to nbval's own collector. The kernel
runs in the chapter's directory, as it would for an ``.ipynb`` there.
"""
# Exercises (tools/exercises.py turns them into a student edition and checks
# answers): inside a chapter's {solution-start}...{solution-end}, tag the code
# cells that check the answer `exercise-check` (`:tags: [exercise-check]`);
# every other solution cell is the answer, replaced by a stub for students.
# Checks must test names the exercise statement asks for, so that they fail on
# the stub (`python tools/exercises.py selftest NN` tries both ways; so does
# tests/test_exercises.py). After editing a chapter, run
# `python tools/chapters.py --fix book/NN_name.md` (jupytext's exact form).
import os
from pathlib import Path
from unittest import mock

import pytest


def _is_text_notebook(path: Path) -> bool:
    if path.suffix != ".md":
        return False
    head = path.read_text(encoding="utf-8")[:2000]
    return head.startswith("---") and "kernelspec:" in head.split("\n---", 1)[0]


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if not (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)):
        return None
    if not _is_text_notebook(file_path):
        return None
    import jupytext
    from nbval.plugin import IPyNbFile

    class MystNotebookFile(IPyNbFile):
        def setup(self):
            # The kernel inherits our environment: hand it the chapters'
            # compilation cache (the Makefile's MINIJAX_BOOK_CACHE_DIR, the
            # folder `make book` fills), which this process does not use.
            cache = os.environ.get("MINIJAX_BOOK_CACHE_DIR")
            with mock.patch.dict(os.environ, {"MINIJAX_COMPILATION_CACHE_DIR": cache}
                                 if cache else {}):
                super().setup()

        def collect(self):
            nb = jupytext.read(self.path)   # md:myst -> NotebookNode (no outputs)
            with mock.patch("nbval.plugin.nbformat.read", return_value=nb):
                yield from super().collect()

    return MystNotebookFile.from_parent(parent, path=file_path)
