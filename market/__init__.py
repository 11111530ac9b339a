"""The marketplace's pure core: its vocabulary, records, state machines and who-sees-what rules.

No I/O: nothing here knows MongoDB, HTTP or GraphQL; it imports only `scoring`.
"""
