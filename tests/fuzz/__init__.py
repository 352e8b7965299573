"""A program fuzzer: random programs run by minijax and by real JAX, compared.

``generator`` draws a program from a seed, ``program`` renders it as Python
text, ``transforms`` lists the transformations compared, ``runner`` runs one
program under one transformation in both libraries, and ``shrinker`` reduces
a failing program to a small stand-alone reproducer. tests/test_fuzz.py
drives it.
"""

