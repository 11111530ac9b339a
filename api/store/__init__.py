"""MongoDB: the client and collections with their indexes, and per collection one constructor of a
stored document and one function from a document to its record (market/records). The only place that
knows document shapes."""
