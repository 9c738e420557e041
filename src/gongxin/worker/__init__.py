"""The platform's scheduled jobs (``gongxin worker``): a registry, the schedule and each run's
record (``job_runs``). See docs/worker.md."""
