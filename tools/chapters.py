"""Keep the book's chapters in exactly the form jupytext writes them.

JupyterLab opens a chapter through jupytext and, on save, writes the notebook
it holds back as MyST Markdown, with the kernelspec of the kernel it ran. If
the file on disk is already what that writer produces, opening, running and
saving a chapter changes nothing. `python tools/chapters.py` lists chapters
that are not in that form; `--fix` rewrites them (their content is unchanged:
only blank lines between cells and the header move).
"""
import sys
from pathlib import Path

import jupytext
from jupytext.config import load_jupytext_config

BOOK = Path(__file__).resolve().parents[1] / "book"

# What a JupyterLab session records for ipykernel's default kernel.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def chapter_paths():
    """Every Markdown notebook of the book (index and appendix included)."""
    return sorted(BOOK.glob("*.md"))


def canonical_text(path):
    """The text jupytext writes for the chapter at ``path`` after reading it."""
    path = Path(path)
    notebook = jupytext.read(path, fmt="md:myst")
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    return jupytext.writes(notebook, fmt="md:myst", config=load_jupytext_config(str(path)))


def main(argv):
    """Report (or with --fix, rewrite) the chapters not in canonical form."""
    fix = "--fix" in argv
    paths = [Path(a) for a in argv if a != "--fix"] or chapter_paths()
    stale = [p for p in paths if p.read_text(encoding="utf-8") != canonical_text(p)]
    for path in stale:
        if fix:
            path.write_text(canonical_text(path), encoding="utf-8")
        print(("rewrote " if fix else "not in jupytext's form: ") + str(path))
    return 0 if fix or not stale else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
