"""The data catalog: dataset specs, the data dictionary and Excel templates."""
