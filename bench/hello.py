"""Bare Flask, for `make bench` to compare Speak Up's pages with: one view, no database."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
