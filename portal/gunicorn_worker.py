"""gunicorn's gthread worker, taking a new connection only while it has a thread free.

The gthread worker keeps a connection open between requests (a load balancer's, a phone's), so
the next request needs no new connection. But each worker accepts every connection it is
offered while it has room for a thousand, so one worker can take all of a load balancer's
connections and answer them one after another while the other waits with nothing to do (seen
here: 20 connections, 20 on one worker, 0 on the other). This worker stops accepting while
its threads are all busy with requests it has already taken, so a new connection goes to a
worker that can answer it now, as with the sync worker, which takes a connection only when free.
Connections it already holds are answered as before, and when every worker is busy a new
connection waits for the first one free.
"""

from __future__ import annotations

from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class FairThreadWorker(ThreadWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.in_hand = 0  # requests given to the threads and not yet finished
        super().__init__(*args, **kwargs)

    # Both run on the worker's main thread (finish_request through its method queue), so the
    # count needs no lock.
    def enqueue_req(self, conn: Any) -> None:
        self.in_hand += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.in_hand -= 1
        super().finish_request(conn, fs)

    # ThreadWorker's loop accepts while `nr_conns < worker_connections`: while every thread
    # has a request in hand, no room.
    @property
    def worker_connections(self) -> int:
        if self.in_hand >= self.cfg.threads:
            return self.nr_conns
        return self.cfg.worker_connections

    @worker_connections.setter
    def worker_connections(self, _value: int) -> None:
        """ThreadWorker sets it from the settings; the property above reads them."""
