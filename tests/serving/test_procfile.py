"""`make serve` runs the Procfile with honcho (tools/procfile.py), relaying each process's output
a batch of whole lines at a time: every line arrives, whole, in order, with its process's name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tools" / "procfile.py"

TALK = """
import os, sys, time
print("port", os.environ["PORT"], "greeting", os.environ["GREETING"], flush=True)
for i in range(3000):
    sys.stdout.write(f"line {i} " + "x" * (i % 50) + "\\n")
    if i % 500 == 0:
        sys.stdout.flush()
        time.sleep(0.02)
sys.stdout.write("half a line, then the end")
"""


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUNNER), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_line_arrives_whole_and_in_order_with_the_process_name(tmp_path):
    (tmp_path / "talk.py").write_text(TALK)
    (tmp_path / "Procfile").write_text(f"talk: {sys.executable} talk.py\nidle: sleep 30\n")
    (tmp_path / ".env").write_text("GREETING=hello\n")
    done = _run(tmp_path, "-p", "7123", "talk")
    assert done.returncode == 0, done.stderr
    said = [line.split("| ", 1)[1] for line in done.stdout.splitlines() if " talk.1 | " in line]
    assert said[0] == "port 7123 greeting hello"  # honcho's PORT, and the .env file
    assert said[1:-1] == [f"line {i} " + "x" * (i % 50) for i in range(3000)]
    assert said[-1] == "half a line, then the end"
    assert "talk.1 stopped (rc=0)" in done.stdout
    assert "idle" not in done.stdout  # only the processes asked for


def test_a_process_not_in_the_procfile_is_refused(tmp_path):
    (tmp_path / "Procfile").write_text("web: sleep 1\n")
    done = _run(tmp_path, "wbe")
    assert done.returncode == 2
    assert "not in Procfile: wbe" in done.stderr
