"""The book's exercises for students and teachers.

    python tools/exercises.py edition [CHAPTER ...] [--out DIR] [--force]
        write the student edition: one notebook per chapter, exercises/NN_name.ipynb,
        with every answer replaced by a stub (make exercises)
    python tools/exercises.py check NOTEBOOK|CHAPTER [--timeout S] [--json]
        run a student's notebook and report each exercise: passed, failed (and why)
        or not attempted (make check CHAPTER=05)
    python tools/exercises.py selftest [CHAPTER ...]
        for chapter authors: the student edition fails every exercise, and the
        official answers pass every check
    python tools/exercises.py grade FOLDER [--timeout S]
        check every notebook in FOLDER, each in its own process with a time limit,
        and print a student x exercise table (make grade SUBMISSIONS=FOLDER)

How a chapter's exercises are written (chapters 12 and on follow it too):

    ```{exercise-start}
    :label: ex-NAME
    ```
    The statement, with any hints. It names what the answer must define.
    ```{exercise-end}
    ```

    ```{solution-start} ex-NAME
    :class: dropdown
    ```
    ...answer: prose and code cells...
    ```{code-cell} ipython3
    :tags: [exercise-check]
    assert ...      # checks the names the statement asked for
    ```
    ```{solution-end}
    ```

Code cells of a solution tagged `exercise-check` decide whether an answer is
right; every other cell of the solution is the answer. The student edition
keeps the statement (hints included) and the check cells (hidden ones too),
and replaces each run of answer cells by one stub. The checks must fail on the
stub, so they test what the answer defines, not what the chapter did before.
`make check` runs the official check cells, whatever a student did to their
copy; the student's code runs only in a Jupyter kernel, a separate process.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHECK_TAG = "exercise-check"
META = "minijax"            # our key in notebook and cell metadata
CELL_TIMEOUT = 300          # seconds one cell may run before it is interrupted

MARKER = re.compile(r"^```\{(exercise-start|exercise-end|solution-start|solution-end)\}\s*(\S*)\s*$")


# ---------------------------------------------------------------------------
# Reading a chapter: which cells belong to which exercise


@dataclass
class Exercise:
    label: str
    number: str                                   # "5.1": chapter 5, first exercise
    statement: str = ""                           # Markdown, hints included
    given: list = field(default_factory=list)     # code cells inside the statement
    parts: list = field(default_factory=list)     # ("answer" | "check", cell), in order

    def checks(self):
        return [cell for kind, cell in self.parts if kind == "check"]

    def answers(self):
        return [cell for kind, cell in self.parts if kind == "answer"]


def chapter_number(stem):
    digits = re.match(r"\d+", stem)
    return str(int(digits.group())) if digits else stem


def _split_markdown(source):
    """Split Markdown into ("text", str) and ("marker", kind, label) pieces."""
    pieces, text, lines, i = [], [], source.split("\n"), 0
    while i < len(lines):
        match = MARKER.match(lines[i])
        if not match:
            text.append(lines[i])
            i += 1
            continue
        kind, label = match.groups()
        i += 1
        while i < len(lines) and lines[i].strip() != "```":   # the directive's options
            option = re.match(r":label:\s*(\S+)", lines[i])
            label = option.group(1) if option else label
            i += 1
        i += 1
        pieces += [("text", "\n".join(text)), ("marker", kind, label)]
        text = []
    pieces.append(("text", "\n".join(text)))
    return pieces


def parse_chapter(notebook, stem):
    """The chapter as a list of items: ("cell", cell) outside exercises, or ("exercise", Exercise)."""
    items, state, current = [], "chapter", None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            if state == "chapter":
                items.append(("cell", cell))
            elif state == "statement":
                current.given.append(cell)
            else:   # a code cell between the statement and the solution is part of the answer
                is_check = CHECK_TAG in cell.metadata.get("tags", [])
                current.parts.append(("check" if is_check else "answer", cell))
            continue
        for piece in _split_markdown(cell.source):
            if piece[0] == "text":
                if state == "chapter" and piece[1].strip():
                    items.append(("cell", nbformat.v4.new_markdown_cell(piece[1].strip("\n"))))
                elif state == "statement":
                    current.statement += piece[1]
                continue            # solution prose is part of the answer: dropped
            kind, label = piece[1], piece[2]
            if kind == "exercise-start":
                count = sum(1 for item in items if item[0] == "exercise") + 1
                current = Exercise(label, f"{chapter_number(stem)}.{count}")
                items.append(("exercise", current))
                state = "statement"
            elif kind == "exercise-end":
                state = "between"
            elif kind == "solution-start":
                if current is None or label != current.label:
                    raise ValueError(f"{stem}: solution {label!r} does not follow its exercise")
                state = "solution"
            else:
                state = "chapter"
    return items


def read_notebook(path):
    path = Path(path)
    if path.suffix == ".md":
        import jupytext
        return jupytext.read(path, fmt="md:myst")
    return nbformat.read(path, as_version=4)


def exercises_of(stem):
    """The official exercises of chapter ``stem`` (e.g. "05_jvp"), in order."""
    items = parse_chapter(read_notebook(BOOK / f"{stem}.md"), stem)
    return [item for kind, item in items if kind == "exercise"]


def chapters_with_exercises():
    return [p.stem for p in sorted(BOOK.glob("*.md"))
            if "{exercise-start}" in p.read_text(encoding="utf-8")]


# ---------------------------------------------------------------------------
# The student edition


def stub_source(exercise):
    return (f"# Exercise {exercise.number}: your answer here.\n"
            f'raise NotImplementedError("Exercise {exercise.number} is not done yet")')


def _tagged(cell, role, exercise=None):
    cell = nbformat.from_dict(json.loads(json.dumps(cell)))   # a deep copy
    cell.metadata[META] = {"role": role, **({"exercise": exercise.label} if exercise else {})}
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def student_edition(stem):
    """Chapter ``stem`` as a notebook whose answers are stubs (checks and hints kept)."""
    chapter = read_notebook(BOOK / f"{stem}.md")
    setup = nbformat.v4.new_code_cell(
        f"# Student edition of {stem} (`make exercises`). The chapter's helpers\n"
        "# (bookutils) live in the book's folder: this notebook runs from exercises/.\n"
        "import sys\nsys.path.insert(0, \"../book\")")
    cells = [_tagged(setup, "setup")]
    for kind, item in parse_chapter(chapter, stem):
        if kind == "cell":
            cells.append(_tagged(item, "chapter"))
            continue
        exercise = item
        heading = f"**Exercise {exercise.number}** (`{exercise.label}`)\n\n"
        cells.append(_tagged(nbformat.v4.new_markdown_cell(heading + exercise.statement.strip()),
                             "statement", exercise))
        cells += [_tagged(cell, "given", exercise) for cell in exercise.given]
        previous = None
        for part, cell in exercise.parts + [("end", None)]:
            if part == "answer" and previous != "answer":
                cells.append(_tagged(nbformat.v4.new_code_cell(stub_source(exercise)),
                                     "answer", exercise))
            elif part == "check":
                if previous != "answer" and previous != "check":   # a check needs an answer before it
                    cells.append(_tagged(nbformat.v4.new_code_cell(stub_source(exercise)),
                                         "answer", exercise))
                check = _tagged(cell, "check", exercise)
                check.source = (f"# Checks exercise {exercise.number} "
                                "(`make check` runs the official copy of this cell).\n" + check.source)
                cells.append(check)
            previous = part
    for i, cell in enumerate(cells):    # stable ids: an unchanged edition is rewritten identically
        cell["id"] = f"cell-{i:03d}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.update({k: v for k, v in chapter.metadata.items() if k == "kernelspec"})
    notebook.metadata[META] = {"chapter": stem, "edition": "student"}
    return notebook


def with_official_answers(notebook, stem):
    """A student edition with each stub replaced by the official answer (the answer key)."""
    runs = {}
    for exercise in exercises_of(stem):
        groups, previous = [], None
        for part, cell in exercise.parts:
            if part == "answer":
                if previous != "answer":
                    groups.append([])
                groups[-1].append(_tagged(cell, "answer", exercise))
            previous = part
        runs[exercise.label] = groups
    cells = []
    for cell in notebook.cells:
        info = cell.metadata.get(META, {})
        if info.get("role") == "answer" and runs.get(info["exercise"]):
            cells += runs[info["exercise"]].pop(0)
        else:
            cells.append(cell)
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    notebook.cells = cells
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{i:03d}"
    return notebook


def write_editions(stems, out, force=False):
    out.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        target = out / f"{stem}.ipynb"
        fresh = nbformat.writes(student_edition(stem))
        if target.exists() and not force:
            if target.read_text(encoding="utf-8") != fresh:
                print(f"kept {target} (it has changes; delete it or use --force to start over)")
                continue
        target.write_text(fresh, encoding="utf-8")
        print(f"wrote {target} ({len(exercises_of(stem))} exercises)")
    print(f"Open them with `make lab LAB_DIR={out.name}`; check one with `make check CHAPTER=05`.")


# ---------------------------------------------------------------------------
# Checking a notebook


def _chapter_of(notebook, path):
    stem = notebook.metadata.get(META, {}).get("chapter")
    if stem is None and (BOOK / f"{Path(path).stem}.md").exists():
        stem = Path(path).stem
    if stem is None:
        raise SystemExit(f"{path}: not a student edition of a chapter (no {META}.chapter metadata)")
    return stem


def _regions(notebook, stem):
    """The notebook as ("cell", cell) and ("exercise", label, [answer cells]) regions.

    A student edition says what each cell is; cells a student added belong to
    the exercise above them. Any other notebook (the chapter itself, say) is
    read as a chapter: its solutions are the answers.
    """
    if not any(META in cell.metadata for cell in notebook.cells):
        return [("cell", item) if kind == "cell" else
                ("exercise", item.label, [("given", c) for c in item.given]
                 + [("answer", c) for c in item.answers()])
                for kind, item in parse_chapter(notebook, stem)]
    regions, current = [], None
    for cell in notebook.cells:
        info = cell.metadata.get(META, {})
        role = info.get("role")
        if role in ("chapter", "setup") or (role is None and current is None):
            regions.append(("cell", cell))
            current = None
            continue
        label = info.get("exercise", current)
        if label != current:
            regions.append(("exercise", label, []))
            current = label
        if cell.cell_type == "code" and role != "check":   # the official checks run instead
            regions[-1][2].append(("given" if role == "given" else "answer", cell))
    return regions


def _program(notebook, stem, exercises):
    """The cells to run: the notebook's, with each exercise followed by its official checks."""
    by_label = {e.label: e for e in exercises}
    regions = _regions(notebook, stem)
    last = {region[1]: i for i, region in enumerate(regions) if region[0] == "exercise"}
    cells = []
    for i, region in enumerate(regions):
        if region[0] == "cell":
            if region[1].cell_type == "code":
                cells.append(("chapter", None, region[1]))
            continue
        label, answers = region[1], region[2]
        if label not in by_label:
            continue
        cells += [(kind, label, cell) for kind, cell in answers]
        if last[label] == i:        # checks follow the exercise's last cell
            cells += [("check", label, cell) for cell in by_label[label].checks()]
    return cells


def _error(content):
    """A readable one-line account of a kernel error: the exception and the failing line."""
    strip = re.compile(r"\x1b\[[0-9;]*m")
    message = f"{content['ename']}: {content['evalue']}" if content["evalue"] else content["ename"]
    for frame in content.get("traceback", []):
        arrow = re.search(r"^-+>\s*\d+\s(.*)$", strip.sub("", frame), re.MULTILINE)
        if arrow:
            return f"{message}  (at `{arrow.group(1).strip()}`)"
    return message


def run_cells(cells, cwd, cell_timeout=CELL_TIMEOUT):
    """Run code cells in a fresh kernel; return each cell's error (None if it ran)."""
    from jupyter_client.manager import start_new_kernel
    # The kernel runs in book/ and imports this repository's minijax (relative
    # entries of PYTHONPATH would now point elsewhere: make them absolute).
    paths = [str(ROOT)] + [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env,
                                       stderr=subprocess.DEVNULL)   # its start-up warnings
    errors = []
    try:
        for source in cells:
            found = []

            def hook(msg):
                if msg["msg_type"] == "error":
                    found.append(_error(msg["content"]))
            try:
                reply = client.execute_interactive(source, timeout=cell_timeout, output_hook=hook,
                                                   allow_stdin=False, stop_on_error=False)
                if reply["content"]["status"] == "error" and not found:
                    found.append(_error(reply["content"]))
            except TimeoutError:
                manager.interrupt_kernel()
                client.get_shell_msg(timeout=30)
                found.append(f"TimeoutError: the cell ran longer than {cell_timeout} s")
            errors.append(found[0] if found else None)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return errors


def _verdicts(exercises, program, errors):
    """Each exercise's status from the errors of the cells that ran."""
    results = {}
    for exercise in exercises:
        mine = [(kind, cell, err) for (kind, label, cell), err in zip(program, errors)
                if label == exercise.label]
        answers = [cell.source.strip() for kind, cell, _ in mine if kind == "answer"]
        failure = next((err for _, _, err in mine if err), None)
        checks_failed = any(err for kind, _, err in mine if kind == "check")
        if not mine:
            status, failure = "not attempted", "its cells are missing from the notebook"
        elif failure is None:
            status = "passed"
        elif all(a in ("", stub_source(exercise)) for a in answers):
            status, failure = "not attempted", None
        else:
            status = "failed"
        results[exercise.label] = {"number": exercise.number, "status": status,
                                   "message": failure, "checks_failed": checks_failed}
    return results


def _chapter_warnings(program, errors):
    return [f"a chapter cell failed: {err}" for (kind, _, cell), err in zip(program, errors)
            if kind == "chapter" and err and "raises-exception" not in cell.metadata.get("tags", [])]


def check_notebook(path, cell_timeout=CELL_TIMEOUT):
    """Run a student's notebook; return its chapter and a result per exercise."""
    notebook = read_notebook(path)
    stem = _chapter_of(notebook, path)
    exercises = exercises_of(stem)
    program = _program(notebook, stem, exercises)
    errors = run_cells([cell.source for _, _, cell in program], BOOK, cell_timeout)
    return {"notebook": str(path), "chapter": stem, "exercises": _verdicts(exercises, program, errors),
            "warnings": _chapter_warnings(program, errors)}


def self_test(stem, cell_timeout=CELL_TIMEOUT):
    """Check a chapter's exercises for authors, in one kernel: run the student
    edition (every exercise should fail), then each official answer with its
    checks (every exercise should pass). Returns both results."""
    exercises = exercises_of(stem)
    handed_out = _program(student_edition(stem), stem, exercises)
    answered = [(kind, e.label, cell) for e in exercises
                for kind, cell in [("given", c) for c in e.given] + e.parts]
    errors = run_cells([cell.source for _, _, cell in handed_out + answered], BOOK, cell_timeout)
    first, then = errors[:len(handed_out)], errors[len(handed_out):]
    return ({"notebook": "student edition", "chapter": stem,
             "exercises": _verdicts(exercises, handed_out, first),
             "warnings": _chapter_warnings(handed_out, first)},
            {"notebook": "official answers", "chapter": stem,
             "exercises": _verdicts(exercises, answered, then), "warnings": []})


SYMBOL = {"passed": "✓", "failed": "✗", "not attempted": "·", "timed out": "⌛"}


def report(result):
    """The friendly report `make check` prints."""
    lines = [f"Chapter {result['chapter']}: {result['notebook']}"]
    for label, r in result["exercises"].items():
        lines.append(f"  {SYMBOL[r['status']]} Exercise {r['number']:<5} {label:<28} {r['status']}")
        if r["status"] == "failed":
            lines.append(f"      {r['message']}")
    lines += [f"  ! {w}" for w in result["warnings"]]
    passed = sum(r["status"] == "passed" for r in result["exercises"].values())
    lines.append(f"{passed} of {len(result['exercises'])} exercises passed.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Grading a folder of notebooks


def _student_name(path, folder):
    relative = path.relative_to(folder).with_suffix("")
    if (BOOK / f"{relative.name}.md").exists() and len(relative.parts) > 1:
        relative = relative.parent       # alice/05_jvp.ipynb is alice's
    return str(relative)


def grade(folder, timeout):
    """Check each notebook of ``folder`` in a subprocess; return the results."""
    folder = Path(folder)
    results = []
    for path in sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts):
        command = [sys.executable, str(Path(__file__).resolve()), "check", "--json", str(path)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
            result = json.loads(done.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:     # the kernel notices its parent died and exits
            result = {"chapter": _chapter_of(read_notebook(path), path), "exercises": None,
                      "warnings": [f"stopped after {timeout} s"]}
        except (json.JSONDecodeError, IndexError):
            result = {"chapter": None, "exercises": None, "warnings": [done.stderr.strip()[-300:]]}
        result["student"] = _student_name(path, folder)
        results.append(result)
    return results


def table(results):
    """One student x exercise table per chapter."""
    out = []
    for stem in sorted({r["chapter"] for r in results if r["chapter"]}):
        exercises = exercises_of(stem)
        rows = [r for r in results if r["chapter"] == stem]
        width = max(len("student"), *(len(r["student"]) for r in rows))
        out.append(f"Chapter {stem}")
        out.append(f"  {'student':<{width}}  " + "  ".join(f"{e.number:^5}" for e in exercises)
                   + "  passed")
        for r in rows:
            if r["exercises"] is None:
                marks = [SYMBOL["timed out"]] * len(exercises)
                passed = 0
            else:
                marks = [SYMBOL[r["exercises"][e.label]["status"]] for e in exercises]
                passed = sum(m == SYMBOL["passed"] for m in marks)
            out.append(f"  {r['student']:<{width}}  " + "  ".join(f"{m:^5}" for m in marks)
                       + f"  {passed}/{len(exercises)}" + "".join(f"  ({w})" for w in r["warnings"]))
        out.append("")
    for r in results:
        if not r["chapter"]:
            out.append(f"{r['student']}: could not be checked: {r['warnings']}")
    out.append("✓ passed   ✗ failed   · not attempted   ⌛ out of time")
    return "\n".join(out)


# ---------------------------------------------------------------------------


def _notebook_for(name):
    """A path, or a chapter number/name: the student edition in exercises/."""
    if Path(name).exists():
        return Path(name)
    matches = sorted((ROOT / "exercises").glob(f"{name}*.ipynb"))
    if not matches:
        raise SystemExit(f"no notebook {name!r} (run `make exercises` first, or give a path)")
    return matches[0]


def _stems(prefixes):
    """The chapters with exercises whose names start with one of ``prefixes`` (all if none)."""
    stems = chapters_with_exercises()
    return [s for s in stems if any(s.startswith(p) for p in prefixes)] if prefixes else stems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    edition = commands.add_parser("edition", help="write the student edition")
    edition.add_argument("chapters", nargs="*")
    edition.add_argument("--out", default=str(ROOT / "exercises"))
    edition.add_argument("--force", action="store_true")
    check = commands.add_parser("check", help="check a student's notebook")
    check.add_argument("notebook")
    check.add_argument("--timeout", type=float, default=CELL_TIMEOUT, help="seconds per cell")
    check.add_argument("--json", action="store_true")
    selftest = commands.add_parser("selftest", help="for authors: stubs fail, answers pass")
    selftest.add_argument("chapters", nargs="*")
    grading = commands.add_parser("grade", help="check a folder of notebooks")
    grading.add_argument("folder")
    grading.add_argument("--timeout", type=float, default=900, help="seconds per notebook")
    args = parser.parse_args(argv)

    if args.command == "edition":
        write_editions(_stems(args.chapters), Path(args.out), args.force)
        return 0
    if args.command == "check":
        result = check_notebook(_notebook_for(args.notebook), args.timeout)
        print(json.dumps(result) if args.json else report(result))
        return 0 if all(r["status"] == "passed" for r in result["exercises"].values()) else 1
    if args.command == "selftest":
        good = True
        for stem in _stems(args.chapters):
            handed_out, answered = self_test(stem)
            print(report(handed_out), report(answered), sep="\n")
            good &= all(r["status"] == "not attempted" and r["checks_failed"]
                        for r in handed_out["exercises"].values()) and not handed_out["warnings"]
            good &= all(r["status"] == "passed" for r in answered["exercises"].values())
        print("OK: every stub fails its checks and every official answer passes." if good else
              "PROBLEM: a check passes without an answer, or an official answer fails.")
        return 0 if good else 1
    print(table(grade(args.folder, args.timeout)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
