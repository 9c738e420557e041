from tests.market.rating_helpers import rating
from tests.workflows.helpers import client, world

__all__ = ["client", "rating", "world"]
