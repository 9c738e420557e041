"""Economic-operation monitoring: dashboards of registrations, survival, cohorts and department
scorecards, computed on the analytics engine (国办发〔2015〕51号 §7, §9)."""
