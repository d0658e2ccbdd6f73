"""Facebook Messenger and Instagram Direct: one Meta module, two channel kinds.

Both platforms speak the Messenger Platform: the same webhook envelope (``entry[].messaging``),
the same ``X-Hub-Signature-256`` signature with the app secret, the same Send API and the
same 24-hour standard messaging window. :mod:`.connector` holds the two connectors,
:mod:`.parse` turns webhook events into messages and receipts, :mod:`.graph` calls the Graph
API, :mod:`.fake` plays the Graph API locally for tests and ``sangdam fake-providers``.
"""
