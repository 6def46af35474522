"""A scenario to start from: ``defsim new NAME`` copies the commented teaching scenario.

The template is ``scenarios/teaching-minimal.yaml`` (the scenario the student guide
and the docs teach with), shipped inside the package as ``template.yaml`` so that an
installed defsim has it too; a test keeps the two identical. Every line carries a
comment saying what the field does, so the copy is its own short manual.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from sim.errors import InputError

__all__ = ["TEMPLATE_NAME", "new_scenario", "template_text"]

TEMPLATE_NAME = "teaching-minimal"
"""The ``name:`` of the template, replaced by the new scenario's."""
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""What a scenario name may be (the schema's rule: it names the results folder)."""


def template_text() -> str:
    """The commented teaching scenario, as shipped."""
    return resources.files("sim.scenario").joinpath("template.yaml").read_text(encoding="utf-8")


def new_scenario(name: str) -> Path:
    """Write ``NAME.yaml`` (``NAME`` may be a path) from the template; never overwrites.

    The scenario's ``name:`` becomes the file's stem and the example command in the
    header comment names the new file. InputError (exit 2) for a name the schema
    would refuse, a folder that does not exist, or a file that is already there.
    """
    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    stem = path.name.rsplit(".", 1)[0]
    if not NAME.match(stem) or len(stem) > 120:
        raise InputError(f"{name}: a scenario name is letters, digits, '.', '_' and '-', "
                         "starting with a letter or digit (it names the results folder)")
    text = template_text()
    text = re.sub(rf"^name: {TEMPLATE_NAME}( *)", lambda m: f"name: {stem}" + " " * max(
        1, len(m.group(1)) + len(TEMPLATE_NAME) - len(stem)), text, count=1, flags=re.M)
    text = text.replace(f"scenarios/{TEMPLATE_NAME}.yaml", str(path))
    text = text.replace(f"results/{TEMPLATE_NAME}/", f"results/{stem}/")
    try:
        out = path.open("x", encoding="utf-8")  # "x": fail rather than overwrite
    except FileExistsError:
        raise InputError(f"{path}: exists; defsim new never overwrites a file, "
                         "choose another name") from None
    except OSError as err:
        raise InputError(f"{path}: cannot write here ({err.strerror})") from None
    try:
        with out:
            out.write(text)
    except BaseException as err:  # a full disk or Ctrl-C: no half-written scenario stays
        path.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise InputError(f"{path}: cannot write here ({err.strerror})") from None
        raise
    return path
