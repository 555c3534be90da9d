"""A reproducible extraction pipeline for research papers: entities, figures and dated events.

    >>> from pipeline import load_dataset
    >>> data = load_dataset("outputs")  # doctest: +SKIP

Every row of every table carries ``doc_id`` and ``start``/``end`` code-point offsets into the
document's canonical text (``outputs/texts/<doc_id>.txt``), and page and box for PDFs.
"""

from pipeline.core.kernels import pin_torch_kernels

pin_torch_kernels()  # before anything loads torch: the same scores on every x86-64 CPU (pipeline.core.kernels)

from pipeline.core.io import load_dataset, load_text  # noqa: E402

__all__ = ["load_dataset", "load_text"]
__version__ = "0.1.0"
