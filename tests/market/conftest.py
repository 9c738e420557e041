from tests.market.rating_helpers import rating

__all__ = ["rating"]
