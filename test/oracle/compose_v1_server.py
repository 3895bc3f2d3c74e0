"""Runs `docker-compose config` (Compose v1) many times in one process, for the merge oracle.

Each input line is a JSON request {"cwd", "args", "env", "files"}; each output line is
{"code", "stdout", "stderr"}. The command itself is docker-compose's own `main()`, exactly what
the docker-compose script runs, so the output is what `docker-compose config` prints; only the
Python start-up (about half a second) is paid once instead of per run. "files" are written first
(absolute env files the test needs; the caller runs this process in a private mount namespace).
"""
import contextlib
import io
import json
import logging
import os
import sys

from compose.cli.main import main as compose_main

real_stdout = sys.stdout

for line in sys.stdin:
    request = json.loads(line)
    for path, content in request.get("files", {}).items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["docker-compose"] + request["args"]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            compose_main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception as e:  # noqa: BLE001 - report, keep serving
            code = 1
            err.write("{}: {}\n".format(type(e).__name__, e))
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    real_stdout.write(json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    real_stdout.flush()
