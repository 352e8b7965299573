"""Every chapter is stored exactly as jupytext writes it, so that opening a
chapter in JupyterLab and saving it (by hand or by autosave) changes nothing.

This also covers chapters added later: a new chapter copied from an old header
or edited by hand fails here until `python tools/chapters.py --fix` rewrites it.
"""
import difflib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402


@pytest.mark.parametrize("path", chapters.chapter_paths(), ids=lambda p: p.name)
def test_jupytext_round_trip_is_the_identity(path):
    stored = path.read_text(encoding="utf-8")
    written = chapters.canonical_text(path)
    diff = "\n".join(difflib.unified_diff(stored.splitlines(), written.splitlines(),
                                          "stored", "as jupytext writes it", lineterm="", n=1))
    assert stored == written, (
        f"{path.name} would change when opened and saved in JupyterLab; "
        f"run `python tools/chapters.py --fix {path.relative_to(ROOT)}`:\n{diff}")


def test_kernelspec_is_the_one_jupyterlab_records():
    """The stored kernelspec is ipykernel's, which Lab writes back on save."""
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert chapters.KERNELSPEC == {"display_name": spec.display_name,
                                   "language": spec.language, "name": "python3"}


def test_chapters_are_all_found():
    names = {p.name for p in chapters.chapter_paths()}
    assert {"index.md", "05_jvp.md", "appendix_rules.md"} <= names


@pytest.mark.parametrize("path", chapters.chapter_paths(), ids=lambda p: p.name)
def test_prose_refers_to_chapters_by_link_not_number(path):
    """Chapter numbers change when chapters move; a Markdown link to the
    chapter's file is checked by the build (a missing target fails it)."""
    import re
    prose = re.sub(r"```\{code-cell\}.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    numbered = re.findall(r"[Cc]hapters? \d+", prose)
    assert not numbered, f"{path.name} cites chapters by number: {numbered}"
