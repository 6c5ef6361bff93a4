"""The composition root: wires ``rag``, ``ingest``, ``ui`` and ``evals`` into one CLI."""
