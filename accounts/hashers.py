from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the parameters chosen in the settings (OWASP minimums; see README "Passwörter").

    It keeps Django's algorithm name, so hashes made with other parameters are recognised and upgraded
    at the next successful login (`must_update`).
    """

    @property
    def time_cost(self):
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.ARGON2_MEMORY_COST_KIB

    @property
    def parallelism(self):
        return settings.ARGON2_PARALLELISM
