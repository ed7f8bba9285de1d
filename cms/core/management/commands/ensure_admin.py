"""Creates a first administrator for the embedded mode if there is no superuser yet."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


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
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "admin@example.invalid", password)
        credentials.parent.mkdir(parents=True, exist_ok=True)
        credentials.write_text(f"username: admin\npassword: {password}\n", encoding="utf-8")
        credentials.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建管理员 Admin created — 登录 {login_url}  用户名 admin  密码 {password}\n"
                f"（密码已保存至 {credentials}，请登录后修改）"
            )
        )
