"""The learned half of the extractor: features, linear models, decisions, training.

The rule grammar proposes candidate events with every country its sentence offers; the
models trained on the annotated real-text corpus (``seeds/realtext/``) decide which
countries are parties, which candidates are events, and their status.
"""
