"""Provisioning by SCIM 2.0 (RFC 7643/7644): people (Users) and establishments (Groups) that a
platform's identity provider or ENT creates before anyone signs in.

`schemas.py` the SCIM description of the service (what is kept of a User and a Group);
`storage.py` the scim2-server storage over our tables; `changes.py` the one function that
changes a person's establishment or active state (`people_changed`); `app.py` the ASGI
application mounted at `/scim/v2`; `repository.py` + `sql/` the statements.
"""
