"""The exercise workflow of tools/exercises.py: the student edition (`make
exercises`), self-checking (`make check`) and the teacher's table (`make grade`).

Every chapter with exercises is run once here, in one kernel: as handed out
(every exercise must fail: stubs really are stubs), then with the official
answers (every exercise must pass). Chapters added later are covered
automatically. The official answers put into a student's notebook in place of
the stubs pass too (chapter 3, below, through `make check` and `make grade`).
"""
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import exercises  # noqa: E402

CHAPTERS = exercises.chapters_with_exercises()


def _write(notebook, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def _set_answer(notebook, label, source):
    """Put ``source`` where the stub of exercise ``label`` is, as a student would."""
    for cell in notebook.cells:
        if cell.metadata.get("minijax") == {"role": "answer", "exercise": label}:
            cell.source = source
            return
    raise KeyError(label)


def test_every_chapter_with_exercises_follows_the_convention():
    assert len(CHAPTERS) >= 11
    for stem in CHAPTERS:
        found = exercises.exercises_of(stem)
        assert found, stem
        for exercise in found:
            assert exercise.checks(), f"{stem}: {exercise.label} has no cell tagged exercise-check"
            assert exercise.answers(), f"{stem}: {exercise.label} has no answer cell"
            assert exercise.statement.strip(), f"{stem}: {exercise.label} has no statement"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_stubs_fail_every_exercise_and_official_answers_pass_them_all(stem):
    """One kernel per chapter: the student edition as handed out, then the
    official answers with the same checks (`tools/exercises.py selftest`)."""
    handed_out, answered = exercises.self_test(stem)
    assert handed_out["exercises"], stem
    for label, outcome in handed_out["exercises"].items():
        assert outcome["status"] == "not attempted", (label, outcome)
        assert outcome["checks_failed"], f"{label}: its checks pass without an answer"
    assert handed_out["warnings"] == []
    assert {label: r["status"] for label, r in answered["exercises"].items()} == \
        {e.label: "passed" for e in exercises.exercises_of(stem)}, exercises.report(answered)


def test_a_wrong_answer_fails_with_a_readable_message(tmp_path):
    notebook = exercises.student_edition("05_jvp")
    _set_answer(notebook, "ex-jvp-higher", "values = (4.0, 10.0, 7.0)")
    _set_answer(notebook, "ex-jvp-gradient", "x6 = jnp.ones(6)\ngrad_by_jvps = jnp.zeros(6)")
    for cell in notebook.cells:          # tampering with a check does not help
        if cell.metadata.get("minijax", {}).get("role") == "check":
            cell.source = "pass"
    result = exercises.check_notebook(_write(notebook, tmp_path / "mine.ipynb"))
    higher, gradient, primitive = (result["exercises"][k] for k in
                                   ("ex-jvp-higher", "ex-jvp-gradient", "ex-jvp-primitive"))
    assert higher["status"] == "failed"
    assert higher["message"].startswith(
        "AssertionError: expected (4.0, 10.0, 6.0), got (4.0, 10.0, 7.0)")
    assert gradient["status"] == "failed"
    assert "AssertionError" in gradient["message"] and "(at `assert np.allclose(" in gradient["message"]
    assert primitive["status"] == "not attempted" and primitive["message"] is None
    text = exercises.report(result)
    assert "✗ Exercise 5.1" in text and "· Exercise 5.3" in text and "0 of 3 exercises passed." in text
    assert "Traceback" not in text and "\x1b[" not in text


def test_make_check_prints_the_report(tmp_path):
    solved = exercises.with_official_answers(exercises.student_edition("03_controlling_gradients"),
                                             "03_controlling_gradients")
    path = _write(solved, tmp_path / "03_controlling_gradients.ipynb")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "exercises.py"), "check", str(path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 of 3 exercises passed." in done.stdout


def test_the_teacher_gets_a_student_by_exercise_table(tmp_path):
    stem = "03_controlling_gradients"
    handed_out = exercises.student_edition(stem)
    _write(exercises.with_official_answers(handed_out, stem), tmp_path / "alice" / f"{stem}.ipynb")
    _write(handed_out, tmp_path / "bob.ipynb")
    partial = exercises.with_official_answers(handed_out, stem)
    _set_answer(partial, "ex-quantize", "raise NotImplementedError")   # not the stub: an attempt
    for cell in partial.cells:
        if cell.metadata.get("minijax", {}).get("exercise") == "ex-clipping" and \
                cell.metadata["minijax"]["role"] == "answer":
            cell.source = cell.source.replace("jnp.minimum(1.0, C / norms)", "C / norms")
    _write(partial, tmp_path / "carol.ipynb")

    done = subprocess.run([sys.executable, str(ROOT / "tools" / "exercises.py"), "grade", str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()
            if line.startswith("  ") and not line.strip().startswith("student")}
    assert rows == {"alice": ["✓", "✓", "✓", "3/3"],
                    "bob": ["·", "·", "·", "0/3"],
                    "carol": ["✓", "✗", "✗", "1/3"]}, done.stdout


def test_grading_stops_a_notebook_that_runs_too_long(tmp_path):
    notebook = exercises.student_edition("03_controlling_gradients")
    notebook.cells.insert(0, nbformat.v4.new_code_cell("while True:\n    pass"))
    _write(notebook, tmp_path / "loops.ipynb")
    # 8 s: the kernel starts and imports minijax well within it, so the
    # timeout stops the loop and not the set-up
    results = exercises.grade(tmp_path, timeout=8)
    assert results[0]["exercises"] is None and "stopped after 8" in results[0]["warnings"][0]
    assert "⌛" in exercises.table(results)
