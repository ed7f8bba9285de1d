from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="RecordEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(unique=True, verbose_name="序号")),
                ("recorded_at", models.DateTimeField(verbose_name="记录时间")),
                (
                    "kind",
                    models.CharField(
                        choices=[("notice", "决定公告"), ("policy", "政策文件")],
                        max_length=16,
                        verbose_name="类别",
                    ),
                ),
                (
                    "subject",
                    models.CharField(db_index=True, max_length=100, verbose_name="公告编号或文件"),
                ),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("published", "发布"),
                            ("correction_published", "更正公告发布"),
                            ("window_opened", "公示开始"),
                            ("window_closed", "公示结束"),
                            ("corrected", "已更正"),
                            ("withdrawn", "撤回"),
                            ("finalised", "确认认定结果"),
                            ("policy_status", "政策文件状态"),
                        ],
                        max_length=32,
                        verbose_name="事件",
                    ),
                ),
                ("data_sha256", models.CharField(max_length=64, verbose_name="公开数据哈希")),
                ("previous_hash", models.CharField(max_length=64, verbose_name="前一条哈希")),
                ("hash", models.CharField(max_length=64, unique=True, verbose_name="本条哈希")),
            ],
            options={
                "verbose_name": "公示记录",
                "verbose_name_plural": "公示记录",
                "ordering": ["sequence"],
            },
        ),
    ]
