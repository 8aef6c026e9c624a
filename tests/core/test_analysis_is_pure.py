"""The analysis engine never imports Django: it must run in a notebook, a worker, a CLI."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import cityforum.analysis


def test_importing_every_analysis_module_leaves_django_unloaded() -> None:
    modules = [
        m.name for m in pkgutil.walk_packages(cityforum.analysis.__path__, "cityforum.analysis.")
    ]
    imports = "; ".join(f"import {name}" for name in ["cityforum.analysis", *modules])
    check = "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django loaded'"
    code = f"import sys; {imports}; {check}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
