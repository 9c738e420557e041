"""Synthetic demo data: realistic department files for every dataset, with the defects
departments really make, and a fast penalty writer for benchmarks."""

from gongxin.demo.fast import write_penalty_csv
from gongxin.demo.generate import DemoFile, generate
from gongxin.demo.load import load

__all__ = ["DemoFile", "generate", "load", "write_penalty_csv"]
