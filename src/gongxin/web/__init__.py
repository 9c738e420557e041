"""The web layer: the JSON API and (later) the portal, over the same service functions."""
