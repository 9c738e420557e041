"""Big-data supervision (大数据监管): probabilistic linkage of records to subjects (Splink),
the related-party graph and warnings. Internal to the credit centre: nothing here is public."""
