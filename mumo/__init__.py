"""mumo: one language model over music tokens and dance-motion tokens."""

__version__ = "0.1.0"
