"""Who must confirm a login with a second factor (TOTP), and the device they confirm it with.

django-otp keeps the devices (``otp_totp.TOTPDevice``) and marks a session as verified;
these functions are the project's rules around it."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "身份验证器"


def requires_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Members of ``SECOND_FACTOR_GROUPS``, superusers among them too; nobody else."""
    if not user.is_authenticated:
        return False
    return user.groups.filter(name__in=settings.SECOND_FACTOR_GROUPS).exists()


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm(device: TOTPDevice) -> None:
    """The device now guards the account; set-ups never finished are dropped."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()


def reset(user: AbstractBaseUser) -> int:
    """Removes the user's devices (a lost phone): the next login sets up a new one."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def manual_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(text: str) -> str:
    """``text`` as a QR code in inline SVG, dark on white (no image library, no other host)."""
    factory = qrcode.image.svg.SvgPathFillImage
    image = qrcode.make(text, image_factory=factory, box_size=10, border=2)
    return image.to_string(encoding="unicode")
