"""Records as the public may see them: publicity regimes and windows (the visibility gate
builds on these)."""
