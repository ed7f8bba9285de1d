"""The baseline for the objection API: a minimal model with the same kind of fields."""

from django.db import models


class BareObjection(models.Model):
    item_id = models.BigIntegerField()
    real_name = models.CharField(max_length=50)
    phone = models.CharField(max_length=40)
    email = models.EmailField()
    postal_address = models.CharField(max_length=200)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"bare objection {self.pk}"
