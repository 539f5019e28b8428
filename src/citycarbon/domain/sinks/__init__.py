"""Carbon-sink registry domain: projects, MRV formulas, serial blocks, journal, auctions, benefit sharing.

Pure code (stdlib and pydantic only): the services load reference parameters and rows from the
store and pass plain values in, so every rule here can be tested without a database.
"""
