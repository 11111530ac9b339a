"""Demo data for rfpmarket: buyer and vendor organizations, open RFPs and the proposals bid on them.

Plain data only (see ``seeds.demo``): no I/O and no server code, so a loader, a test or a notebook can
feed it through the API's own use cases.
"""
