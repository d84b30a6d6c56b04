"""Finding papers: BM25 over the passages (lexical, tokens, lexicon), fusion with the dense
vectors (fusion, retrieval), and the relevance rule reused by subscriptions and trends
(matching, trends)."""
