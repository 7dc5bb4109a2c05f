"""The demo a fresh clone runs: a fictional clinic, its staff, OBs, forms and patients.

One module per concern, all here in ``ops``, above every app they fill: ``clinic`` (the clinic,
its locations and logo, and the back-office setup), ``booking`` (clinicians, consultation types
and hours), ``plans`` (chairs and the infusion visit), ``consents`` (the default forms),
``obcare`` (OBs in the directory), ``staff`` (one account per role) and ``patients`` (mothers at
each step of the pathway). ``perinatal serve`` and ``manage.py demo`` load them; every loader adds
only what is missing, and none runs in production.
"""
