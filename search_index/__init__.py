"""Full-text search over every transcript and chat: the index (``WORKPHONE_HOME/search.duckdb``,
built after the warehouse) and the tokenisation its readers share.

Chinese is written without spaces, so the indexed column holds character bigrams of every run of
Chinese characters (a run of one character is kept whole) and lower-cased runs of Latin letters
and digits; DuckDB's ``fts`` extension indexes those space-separated tokens with BM25. A query
is tokenised by the same SQL expression, so index and query can never disagree.
"""
