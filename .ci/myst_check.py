"""Check that mystmd (Jupyter Book 2) parses every chapter, offline.

`myst build --site` parses and builds every page before it fetches its HTML
theme from the network; offline, only that last step fails. We therefore
require that every page in myst.yml's table of contents was built and that
mystmd reported no errors (⛔️) or warnings (⚠️) about our files.
"""
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def toc_files(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        yield from toc_files(entry.get("children", []))


def main():
    files = list(toc_files(yaml.safe_load((ROOT / "myst.yml").read_text())["project"]["toc"]))
    myst = pathlib.Path(sys.executable).with_name("myst")
    proc = subprocess.run([str(myst), "build", "--site"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    out = proc.stdout + proc.stderr
    problems = [line for line in out.splitlines() if line.startswith(("⛔", "⚠"))]
    built = {line.split("Built ", 1)[1].split(" in ")[0] for line in out.splitlines()
             if line.startswith("📖 Built ")}
    missing = [f for f in files if f not in built]
    if problems or missing:
        print("mystmd problems:\n" + "\n".join(problems + [f"not built: {f}" for f in missing]))
        return 1
    print(f"mystmd parsed all {len(files)} pages without errors or warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
