"""Procurement exports of an RFP's ranking: CSV, Excel, JSON and OCDS, over HTTP and the CLI.

rows.py        the ranked rows, streamed from MongoDB in rank order (shared by every format)
access.py      who may export: the RFP's buyer once proposals are unsealed
export.py      list + format -> file name, content type, byte stream
csv_format.py, json_format.py, xlsx_format.py, ocds.py    the writers
neutralize.py  formula-injection defence for CSV and Excel
routes.py      the HTTP routes;  cli.py  `rfpmarket export`
"""
