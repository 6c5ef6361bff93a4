"""sendqa core: types, settings, retrieval and answer composition.

This package imports no other sendqa package; ``ingest``, ``ui`` and ``evals`` build on it.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
