from tests.workflows.helpers import client, world

__all__ = ["client", "world"]
