"""Sphinx configuration for the offline HTML build of the book.

The table of contents lives in ../myst.yml only (mystmd reads it too); this
file turns it into Sphinx toctrees, one per part.
"""
from pathlib import Path

import yaml
from pygments.formatters import HtmlFormatter
from sphinx.highlighting import PygmentsBridge

project = "minijax: autodiff from the inside"
author = "The minijax authors"
copyright = "2026, the minijax authors"
extensions = ["myst_nb", "sphinx_exercise", "sphinx_togglebutton", "sphinx-mathjax-offline"]
html_title = project
html_theme = "sphinx_book_theme"
html_theme_options = {"show_toc_level": 2}
html_static_path = ["_static"]
html_css_files = ["listings.css"]   # listings wrap long lines visibly
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "**.ipynb"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
nb_execution_mode = "force"          # every chapter runs at every build
nb_execution_raise_on_error = True   # an unexpected exception fails the build
nb_execution_timeout = 300
nb_merge_streams = True
nb_render_markdown_format = "myst"   # Markdown outputs (tables, code) render as MyST

_here = Path(__file__).parent
_toc = yaml.safe_load((_here.parent / "myst.yml").read_text())["project"]["toc"]


def _docname(entry):
    return str(Path(entry["file"]).relative_to("book").with_suffix(""))


def _toctrees():
    """One hidden toctree per part (loose chapters go in an untitled one)."""
    trees, loose = [], []
    for entry in _toc:
        if "children" in entry:
            names = [_docname(c) for c in entry["children"]]
            trees.append((entry["title"], names))
        elif _docname(entry) != root_doc:
            loose.append(_docname(entry))
    if loose:
        trees.insert(0, (None, loose))
    return trees


def _inject_toctree(app, docname, source):
    if docname != root_doc:
        return
    for caption, names in _toctrees():
        head = "```{toctree}\n:hidden:\n" + (f":caption: {caption}\n" if caption else "")
        source[0] += "\n\n" + head + "\n".join(names) + "\n```\n"


class _LineSpanFormatter(HtmlFormatter):
    """Pygments' HTML with one span per source line, so that _static/listings.css
    can give each wrapped line a hanging indent."""

    def __init__(self, **options):
        options.setdefault("linespans", "line")
        super().__init__(**options)


PygmentsBridge.html_formatter = _LineSpanFormatter


def _number_exercises_per_chapter(app, env):
    """Sphinx numbers enumerable nodes across the whole book when chapters have
    no section numbers ("Exercise 26" in chapter 9); restart at 1 in each chapter,
    keeping the order. Runs after Sphinx assigns numbers and before pages are
    written, so labels and the solutions' "Solution to Exercise n" follow."""
    for numbers in env.toc_fignumbers.values():
        exercises = numbers.get("exercise", {})
        in_order = sorted(exercises, key=exercises.get)
        for i, node_id in enumerate(in_order, start=1):
            exercises[node_id] = (i,)
    return []


def setup(app):
    app.connect("source-read", _inject_toctree)
    app.connect("env-get-updated", _number_exercises_per_chapter, priority=900)
