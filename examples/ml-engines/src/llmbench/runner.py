"""Runs a study: picks the engine's container, never imports the engine itself."""

from typing import TYPE_CHECKING

from llmbench.config import StudyConfig

if TYPE_CHECKING:
    import transformers  # allowed: only for type checkers


def run_study(config_path: str) -> StudyConfig:
    return StudyConfig(engine="vllm", model=config_path)


def engine_version() -> str:
    import vllm  # allowed: function-local, runs only inside the engine image

    return vllm.__version__
