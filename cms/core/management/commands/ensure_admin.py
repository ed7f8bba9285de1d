"""Creates a first administrator for the embedded mode if there is no superuser yet."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


def random_password(user) -> str:
    """16 random URL-safe characters that pass AUTH_PASSWORD_VALIDATORS (12 at least)."""
    for _ in range(10):
        password = secrets.token_urlsafe(12)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise CommandError("无法生成符合密码规则的随机密码 (no random password passed the validators)")


class Command(BaseCommand):
    help = "若无超级用户则创建 admin 账号，并打印登录方式（密码另存于 var/admin-credentials.txt）。"

    def handle(self, *args, **options):
        credentials = settings.VAR_DIR / "admin-credentials.txt"
        login_url = f"{settings.CMS_BASE_URL}/admin/"
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            hint = f"（初始密码见 {credentials}）" if credentials.exists() else ""
            self.stdout.write(f"管理后台 Admin: {login_url}  已有管理员账号{hint}")
            return
        user = user_model(username="admin", email="admin@example.invalid")
        password = random_password(user)
        user_model.objects.create_superuser(user.username, user.email, password)
        credentials.parent.mkdir(parents=True, exist_ok=True)
        credentials.write_text(f"username: admin\npassword: {password}\n", encoding="utf-8")
        credentials.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建管理员 Admin created — 登录 {login_url}  用户名 admin  密码 {password}\n"
                f"（密码已保存至 {credentials}，请登录后修改）"
            )
        )
