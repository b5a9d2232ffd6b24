"""A WSGI app for the worker test: /slow holds its worker's thread for a while, /pid answers at
once with the process that answered."""

import os
import time


def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(float(os.environ.get("SLOW_SECONDS", "3")))
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
