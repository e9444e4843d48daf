import pytest

transformers = pytest.importorskip("transformers")


def test_engine_module_imports():
    from llmbench.engines import transformers_engine

    assert transformers_engine.load
