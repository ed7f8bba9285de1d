"""The JSON bodies the write benchmarks post (no Django imports: the runner uses them too)."""

OBJECTOR = {
    "real_name": "张明远",
    "phone": "13857101234",
    "email": "objector@example.com",
    "postal_address": "浙江省杭州市西湖区文三路100号",
    "content": "经了解，该项目在实施期间存在关键实验数据未按规定记录的情况，与公示所述"
    "“原始记录完整”不符，请予以核实。相关证明材料可另行提供。",
}


def objection_body(item: int) -> dict:
    """POST /api/objections/: a real-name objection to one decision item, no files."""
    return {"item": item, "objector_type": "individual", **OBJECTOR, "consent": True}


def bare_body(item: int = 1) -> dict:
    """POST /bench/bare/: the same personal fields and text into the bare model."""
    return {"item_id": item, **OBJECTOR}
