"""Engine adapters: run only inside each engine's image."""
