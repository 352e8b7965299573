"""`make lab`, checked headless through the JupyterLab server's REST API.

A reader double-clicks a chapter and it opens as a notebook (the settings
overrides `make lab` installs make jupytext's viewer the default for `.md`),
runs it top to bottom in a kernel, and saving it changes nothing on disk.
Pages that are not chapters offer no cells that fail to run.

Needs the `lab` extra (`make lab-deps`, which `.ci/run` installs).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest.importorskip("jupyterlab", reason="the lab extra is not installed (run `make lab-deps`)")
pytest.importorskip("jupytext", reason="the lab extra is not installed (run `make lab-deps`)")
websocket = pytest.importorskip("websocket", reason="websocket-client (a jupyter_server dependency) is missing")

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402

TOKEN = uuid.uuid4().hex
EXECUTED_CHAPTER = "03_controlling_gradients.md"   # one chapter, run end to end (about 20 s)
NOT_CHAPTERS = {"index.md"}                         # prose pages: no code cells


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A headless `jupyter lab` serving a copy of book/ (so saves cannot touch the repo)."""

    def __init__(self, root):
        self.root = root
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        self.log = open(root.parent / "lab.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             f"--port={self.port}", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={root}"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                self.get("/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                assert self.proc.poll() is None, self.logged()
                time.sleep(0.5)
        raise TimeoutError("JupyterLab did not start:\n" + self.logged())

    def logged(self):
        if not self.log.closed:
            self.log.flush()
        return (self.root.parent / "lab.log").read_text()

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def get(self, path):
        return self.request("GET", path)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab") / "book"
    shutil.copytree(BOOK, root, ignore=shutil.ignore_patterns("_build", "*.ipynb", "__pycache__"))
    server = Lab(root)
    yield server
    server.close()
    assert "Traceback" not in server.logged(), server.logged()


def test_lab_starts_without_errors(lab):
    text = lab.logged()
    assert "ExtensionLoadingError" not in text and "Traceback" not in text, text


def test_chapters_open_as_notebooks_by_default(lab):
    """The overrides `make lab` installs make jupytext's viewer the default for .md."""
    settings = lab.get("/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers.get("markdown") == "Jupytext Notebook", (
        "JupyterLab would open chapters as text: the settings overrides are not installed "
        f"in {sys.prefix}/share/jupyter/lab/settings (run `make lab-deps`)")
    assert viewers.get("myst") == "Jupytext Notebook"


def test_every_chapter_is_a_notebook_and_helpers_are_files(lab):
    listing = {item["name"]: item["type"] for item in lab.get("/api/contents/")["content"]}
    for path in chapters.chapter_paths():
        assert listing[path.name] == "notebook", path.name
        model = lab.get(f"/api/contents/{path.name}?type=notebook&content=1")
        cells = model["content"]["cells"]
        assert cells and model["content"]["metadata"]["kernelspec"] == chapters.KERNELSPEC
        code = [c for c in cells if c["cell_type"] == "code"]
        assert bool(code) == (path.name not in NOT_CHAPTERS), path.name
    assert listing["conf.py"] == "file" and listing["bookutils.py"] == "file"


def test_open_then_save_changes_no_chapter(lab):
    """What Lab's save (or autosave) writes back is byte for byte what is stored."""
    spec = lab.get("/api/kernelspecs")["kernelspecs"]["python3"]["spec"]
    for path in chapters.chapter_paths():
        model = lab.get(f"/api/contents/{path.name}?type=notebook&content=1")
        notebook = model["content"]
        notebook["metadata"]["kernelspec"] = {
            "display_name": spec["display_name"], "language": spec["language"], "name": "python3"}
        lab.request("PUT", f"/api/contents/{path.name}",
                    {"type": "notebook", "format": "json", "content": notebook})
        assert (lab.root / path.name).read_bytes() == path.read_bytes(), path.name


def _execute(channel, session, code, timeout=300):
    """Run ``code`` in the kernel; return its error outputs (ename, evalue)."""
    msg_id = uuid.uuid4().hex
    channel.send(json.dumps({
        "header": {"msg_id": msg_id, "session": session, "username": "test",
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    errors, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = json.loads(channel.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append((msg["content"]["ename"], msg["content"]["evalue"]))
        if msg["channel"] == "shell" and msg["msg_type"] == "execute_reply":
            return errors
    raise TimeoutError(code[:200])


def test_a_chapter_runs_in_a_kernel_without_errors(lab):
    model = lab.get(f"/api/contents/{EXECUTED_CHAPTER}?type=notebook&content=1")
    session = lab.request("POST", "/api/sessions", {
        "path": EXECUTED_CHAPTER, "type": "notebook", "name": EXECUTED_CHAPTER,
        "kernel": {"name": "python3"}})
    kernel_id = session["kernel"]["id"]
    channel = websocket.create_connection(
        f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels?token={TOKEN}", timeout=300)
    try:
        ran = 0
        for cell in model["content"]["cells"]:
            if cell["cell_type"] != "code":
                continue
            errors = _execute(channel, session["id"], cell["source"])
            expected = "raises-exception" in cell["metadata"].get("tags", [])
            assert bool(errors) == expected, (cell["source"][:300], errors)
            ran += 1
        assert ran > 5
    finally:
        channel.close()
        lab.request("DELETE", f"/api/sessions/{session['id']}")
