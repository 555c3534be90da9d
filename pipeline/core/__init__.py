"""The bottom layer every stage stands on: names, the document model, the output schema, file I/O,
parameters with their defaults, the per-document incremental runner, the per-folder run lock and
the spaCy loader.

Nothing in ``pipeline.core`` imports a stage; every stage may import ``pipeline.core``.
"""
