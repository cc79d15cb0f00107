"""Click commands contributed by feature modules (analysis, serving, exports, pages).

Each module here defines ``COMMANDS``: a list of ``click.Command`` objects that
:mod:`kg.cli` adds to the ``kg`` group. Modules import heavy libraries inside the command
functions, never at import time.
"""

MODULES: tuple[str, ...] = ("analysis", "serve", "export", "viz", "train")
