"""Study configuration, validated on the host."""

from dataclasses import dataclass


@dataclass
class StudyConfig:
    engine: str
    model: str
    batch_size: int = 1
