"""Command-line entry points. Host code: must never import an engine at import time."""

from llmbench.runner import run_study


def main(config_path: str) -> None:
    run_study(config_path)
