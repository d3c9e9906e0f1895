"""Tagengo's translation layer: languages, phrasebook, glossary, memory and machine translation."""
