"""`make serve`: run the Procfile's processes with honcho, relaying their output in batches.

    python tools/procfile.py [-f Procfile] [-p PORT] [PROCESS ...]

The same as `honcho start`: honcho's manager starts each process (with `.env`, `PORT` and
`HONCHO_PROCESS_NAME` as honcho sets them), prints what it says with its name and the time,
and stops them all when one stops or on Ctrl+C. One thing differs. `honcho start` sends every
line a process prints as a message of its own, through a multiprocessing queue, to the process
that prints it; the web server logs a line per request, so at a thousand requests a second that
relay took about a tenth of a 2-core machine from the server it was watching (measured with wrk
on a question page: 880 requests a second from gunicorn alone, 770 under `honcho start`). Here
each process's output is read as whatever whole lines arrived in the last twentieth of a second,
sent as one message and printed with one write: lines stay whole and in order, and show at most
that much later.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from honcho import environ
from honcho.manager import Manager
from honcho.printer import Printer
from honcho.process import Process

GATHER_SECONDS = 0.05
READ_BYTES = 1 << 20  # more than a pipe holds: a read takes everything waiting


class BatchedProcess(Process):
    """honcho's Process, sending whole lines a batch at a time rather than one by one."""

    def run(self, events=None, ignore_signals=False) -> None:
        self._events = events
        self._child = self._child_ctor(self.cmd, env=self.env, cwd=self.cwd)
        self._send_message({"pid": self._child.pid}, type="start")
        if ignore_signals:  # as honcho's: only the child's own exit ends this relay
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        pipe, pending = self._child.stdout.fileno(), b""
        while chunk := os.read(pipe, READ_BYTES):
            whole, newline, pending = (pending + chunk).rpartition(b"\n")
            if newline and not self.quiet:
                self._send_message(whole + newline)
            time.sleep(GATHER_SECONDS)  # let the next lines gather (the pipe holds 64 KB)
        if pending and not self.quiet:
            self._send_message(pending)
        self._child.stdout.close()
        self._child.wait()
        self._send_message({"returncode": self._child.returncode}, type="stop")


class BatchedPrinter(Printer):
    """honcho's Printer, writing a message's lines with one write rather than one each."""

    def write(self, message) -> None:
        lines: list[str] = []
        output = self.output
        try:
            self.output = _Gather(lines)
            super().write(message)
        finally:
            self.output = output
        output.write("".join(lines))
        output.flush()


class _Gather:
    """Stands in for the printer's output while it prints one message: keeps what it writes."""

    def __init__(self, into: list[str]) -> None:
        self._into = into

    def write(self, text: str) -> int:
        self._into.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-f", "--procfile", default="Procfile")
    parser.add_argument("-p", "--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("processes", nargs="*", metavar="PROCESS")
    args = parser.parse_args(argv)

    procfile = environ.parse_procfile(Path(args.procfile).read_text())
    unknown = [name for name in args.processes if name not in procfile.processes]
    if unknown:
        parser.error(f"not in {args.procfile}: {', '.join(unknown)}")
    chosen = {name: procfile.processes[name] for name in args.processes or procfile.processes}
    dotenv = Path(".env")
    app_env = environ.parse(dotenv.read_text()) if dotenv.is_file() else {}

    manager = Manager(BatchedPrinter(sys.stdout))
    manager._process_ctor = BatchedProcess  # honcho's own seam for the process class
    for params in environ.expand_processes(chosen, env=app_env, port=args.port):
        env = {**os.environ, **params.env}
        manager.add_process(params.name, params.cmd, quiet=params.quiet, env=env)
    manager.loop()
    return manager.returncode


if __name__ == "__main__":
    sys.exit(main())
