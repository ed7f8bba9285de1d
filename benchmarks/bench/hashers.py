from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneIterationPBKDF2(PBKDF2PasswordHasher):
    """Diagnostic only (see benchmarks/settings.py): removes the key stretching's cost."""

    algorithm = "pbkdf2_sha256_bench1"
    iterations = 1
