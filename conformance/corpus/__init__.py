"""Edge-case corpora: generated from the contract, saved as JSON (or curl / HAR), replayed anywhere.

* :func:`conformance.corpus.generate.generate` builds a :class:`~.model.Corpus` (no server needed).
* :func:`conformance.corpus.model.load_corpus` reads one back; :mod:`conformance.replay` sends it.
* :mod:`~.oracle` decides the expected outcomes, :mod:`~.coverage` reports what is covered,
  :mod:`~.export` writes the curl script and the HAR.
"""

from .model import (
    FORMAT,
    PLACEHOLDERS,
    Case,
    Corpus,
    CorpusError,
    Expectation,
    Request,
    load_corpus,
)

__all__ = [
    "FORMAT",
    "PLACEHOLDERS",
    "Case",
    "Corpus",
    "CorpusError",
    "Expectation",
    "Request",
    "load_corpus",
]
