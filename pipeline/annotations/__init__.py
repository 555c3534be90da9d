"""Annotators' decisions and where they land: the records (``decisions``), their placement on a
changed text (``placement``) and the one conflict policy (``policy``).

Both the review stage and the training labels stand on this package, so a decision means the same
thing to each of them.
"""
