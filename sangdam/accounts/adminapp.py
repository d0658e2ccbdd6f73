"""Django's admin app with the console's login and second factor (see adminsite.py).

Its own module: the app registry imports it before models load, so it names the site by
its dotted path.
"""

from django.contrib.admin.apps import AdminConfig


class SangdamAdminConfig(AdminConfig):
    default_site = "sangdam.accounts.adminsite.SangdamAdminSite"
