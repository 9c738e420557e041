"""Simulation (仿真): a dry run of a rule change through the same gate and jobs, reporting what
would move (国办发〔2015〕51号 §16)."""
