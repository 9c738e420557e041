"""Workflows: credit commitments (信用承诺) and the feedback and statistics of credit checks."""
