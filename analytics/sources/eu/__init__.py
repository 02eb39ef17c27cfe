"""Europe: Eurostat SBS readers, confidential-cell imputation, NUTS 2021 recoding, indicators, categories."""
