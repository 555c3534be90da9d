"""Training the fine-tuned entity sources: the training documents (``documents``, the ``train_set``
stage), the annotators' labels on them (``labels``), the spaCy NER (``spacy_ner``), the transformer
(``transformer``) and the score calibration (``calibration``).
"""
