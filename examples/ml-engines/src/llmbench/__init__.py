"""llmbench: energy and latency of LLM inference across engines."""

__version__ = "0.4.0"
