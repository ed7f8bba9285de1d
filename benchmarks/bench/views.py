"""A bare DRF create endpoint: ModelSerializer + CreateAPIView, nothing else."""

from rest_framework import generics, serializers

from .models import BareObjection


class BareObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BareObjection
        fields = [
            "id",
            "item_id",
            "real_name",
            "phone",
            "email",
            "postal_address",
            "content",
            "created_at",
        ]


class BareCreateView(generics.CreateAPIView):
    queryset = BareObjection.objects.all()
    serializer_class = BareObjectionSerializer
    throttle_classes: list = []
