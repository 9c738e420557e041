"""Services for the market: credit complaints, industry credit evaluation, trust marks and the
access of credit agencies (国办发〔2015〕51号 §15, §27–28)."""
