"""Parallel approval (并联审批) with embedded credit checks, and product traceability
(产品溯源) with each node's credit (国办发〔2015〕51号 §4, §14)."""
