"""Subjects (信用主体): the market entities records are about, and linking records to them."""
