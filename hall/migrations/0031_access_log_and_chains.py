"""Issue 29: the access log (who looked at whose personal data) and the hash chains of the case
events, the security log and the access log (hall.platform.chains).

The append-only triggers now allow one change: the chaining sweep setting the chain columns of a
row not chained yet, nothing else of it. The access log gets the case events' trigger.
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# A row may be updated only to set its chain columns, once, with every other column unchanged.
CHAIN_ONCE = """
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
       AND (to_jsonb(NEW) - 'chain_seq' - 'chain_hash')
           = (to_jsonb(OLD) - 'chain_seq' - 'chain_hash') THEN
        RETURN NEW;
    END IF;
"""

# A case's events and ratings go only with the case file, under an executed destruction list
# (hall.cases.destruction sets hall.destruction for its transaction).
DESTRUCTION = """
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = '@table@'
       AND coalesce(current_setting('hall.destruction', true), '') <> '' THEN
        RETURN OLD;
    END IF;
"""

CREATE = (
    """
CREATE OR REPLACE FUNCTION hall_caseevent_append_only() RETURNS trigger AS $$
BEGIN"""
    + CHAIN_ONCE
    + DESTRUCTION.replace("@table@", "hall_caseevent")
    + """    RAISE EXCEPTION '%% is append-only: %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS hall_personaldataaccess_append_only ON hall_personaldataaccess;
CREATE TRIGGER hall_personaldataaccess_append_only
    BEFORE UPDATE OR DELETE ON hall_personaldataaccess
    FOR EACH ROW EXECUTE FUNCTION hall_caseevent_append_only();
CREATE OR REPLACE FUNCTION hall_securityevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;"""
    + CHAIN_ONCE
    + """    RAISE EXCEPTION 'hall_securityevent is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION hall_servicerating_guard() RETURNS trigger AS $$
BEGIN"""
    + DESTRUCTION.replace("@table@", "hall_servicerating")
    + """    RAISE EXCEPTION 'hall_servicerating is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
)

DROP = """
DROP TRIGGER IF EXISTS hall_personaldataaccess_append_only ON hall_personaldataaccess;
CREATE OR REPLACE FUNCTION hall_servicerating_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'hall_servicerating is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION hall_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'hall_caseevent is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION hall_securityevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'hall_securityevent is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0030_personal_data_sealed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonalDataAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
                ),
                (
                    "applicant_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="申请人编号"),
                ),
                ("case_id", models.BigIntegerField(blank=True, null=True, verbose_name="办件编号")),
                (
                    "receipt_no",
                    models.CharField(blank=True, max_length=30, verbose_name="收件编号"),
                ),
                ("user_id", models.BigIntegerField(blank=True, null=True, verbose_name="用户编号")),
                ("username", models.CharField(blank=True, max_length=150, verbose_name="用户名")),
                ("staff_name", models.CharField(blank=True, max_length=150, verbose_name="姓名")),
                ("role", models.CharField(blank=True, max_length=50, verbose_name="角色")),
                (
                    "department",
                    models.CharField(blank=True, max_length=100, verbose_name="部门或窗口"),
                ),
                (
                    "what",
                    models.CharField(
                        choices=[
                            ("case_file", "查看办件"),
                            ("applicant", "查看申请人信息"),
                            ("reveal", "查看完整证件号码或手机号码"),
                            ("export", "导出个人信息"),
                            ("api", "接口读取"),
                        ],
                        max_length=20,
                        verbose_name="查看内容",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="事由")),
                ("path", models.CharField(blank=True, max_length=300, verbose_name="访问路径")),
                (
                    "ip_address",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="来源地址"),
                ),
                (
                    "chain_seq",
                    models.BigIntegerField(
                        blank=True, null=True, unique=True, verbose_name="链序号"
                    ),
                ),
                (
                    "chain_hash",
                    models.CharField(
                        blank=True,
                        db_default="",
                        default="",
                        max_length=64,
                        verbose_name="链校验值",
                    ),
                ),
            ],
            options={
                "verbose_name": "个人信息访问记录",
                "verbose_name_plural": "个人信息访问记录",
                "ordering": ["-at", "-pk"],
                "default_permissions": ("view",),
            },
        ),
        migrations.AddField(
            model_name="caseevent",
            name="chain_hash",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=64, verbose_name="链校验值"
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="securityevent",
            name="chain_hash",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=64, verbose_name="链校验值"
            ),
        ),
        migrations.AddField(
            model_name="securityevent",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="链序号"),
        ),
        migrations.AlterField(
            model_name="securityevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("login", "登录成功"),
                    ("login_failed", "登录失败"),
                    ("locked_out", "登录锁定"),
                    ("logout", "退出登录"),
                    ("session_expired", "会话超时结束"),
                    ("session_ended", "会话被管理员结束"),
                    ("otp_verified", "双因素验证通过"),
                    ("otp_failed", "双因素验证失败"),
                    ("otp_enrolled", "启用双因素认证"),
                    ("otp_recovery_used", "使用恢复码"),
                    ("otp_reset", "重置双因素认证"),
                    ("permission_denied", "越权访问被拒绝"),
                    ("personal_data_read", "查看办件个人信息"),
                    ("contact_changed", "申请人联系方式变更"),
                    ("account_disabled", "账号停用"),
                    ("audit_chain_broken", "日志完整性校验失败"),
                ],
                max_length=30,
                verbose_name="类别",
            ),
        ),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(
                condition=models.Q(("chain_seq__isnull", True)),
                fields=["id"],
                name="event_unchained",
            ),
        ),
        migrations.AddIndex(
            model_name="securityevent",
            index=models.Index(
                condition=models.Q(("chain_seq__isnull", True)),
                fields=["id"],
                name="security_unchained",
            ),
        ),
        migrations.AddIndex(
            model_name="personaldataaccess",
            index=models.Index(fields=["applicant_id", "-at", "-id"], name="access_by_owner"),
        ),
        migrations.AddIndex(
            model_name="personaldataaccess",
            index=models.Index(
                condition=models.Q(("chain_seq__isnull", True)),
                fields=["id"],
                name="access_unchained",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
