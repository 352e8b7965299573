"""environment.yml and pyproject.toml must name the same dependencies."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec):
    return re.split(r"[<>=!\[ ;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_names():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    for extra, deps in project["optional-dependencies"].items():
        if extra != "cuda12":   # GPU plugins are pip-only and optional
            names |= {_name(d) for d in deps}
    return names


def _environment_names():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            names |= {_name(d) for d in dep["pip"]}
        else:
            names.add(_name(dep))
    return names - {"python", "pip"}


def test_environment_matches_pyproject():
    assert _environment_names() == _pyproject_names()


def test_jax_and_jaxlib_pinned_to_the_same_version():
    text = (ROOT / "pyproject.toml").read_text()
    jaxlib = re.search(r'"jaxlib==([\d.]+)"', text).group(1)
    assert re.findall(r'"jax==([\d.]+)"', text) and set(re.findall(r'"jax==([\d.]+)"', text)) == {jaxlib}
