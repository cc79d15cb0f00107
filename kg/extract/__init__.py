"""Extraction layer: a spaCy ``zh`` pipeline (jieba segmenter) with our registered components."""

from __future__ import annotations

from .pipeline import build_nlp, extract_page

__all__ = ["build_nlp", "extract_page"]
