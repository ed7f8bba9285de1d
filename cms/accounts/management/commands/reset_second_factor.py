"""Removes a user's authenticator app (a lost or replaced phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cms.accounts.second_factor import requires_second_factor, reset


class Command(BaseCommand):
    help = "删除用户的身份验证器（手机丢失或更换时）；其下次登录时重新设置。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get_by_natural_key(username)
        except user_model.DoesNotExist as error:
            raise CommandError(f"没有用户 {username} (no such user)") from error
        removed = reset(user)
        self.stdout.write(f"已删除 {username} 的身份验证器 {removed} 个 (devices removed)。")
        if requires_second_factor(user):
            self.stdout.write("下次登录后须重新设置 (a new one is set up at the next login)。")
