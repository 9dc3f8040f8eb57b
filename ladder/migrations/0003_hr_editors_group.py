"""The "HR editors" group: edit the ladder and its history, view and link postings."""

from django.db import migrations

GROUP = "HR editors"
PERMISSIONS = {
    "ladder": {
        "jobfamily": ["view", "add", "change", "delete"],
        "level": ["view", "add", "change", "delete"],
        "item": ["view", "add", "change", "delete"],
        "grade": ["view", "add", "change"],
        "familyversion": ["view"],
        "importrun": ["view"],
        "historicaljobfamily": ["view"],
        "historicallevel": ["view"],
        "historicalitem": ["view"],
    },
    "postings": {"posting": ["view", "change"], "postingitem": ["view"]},
}


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make them now so the group
    # gets them on a fresh database too.
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                permission = Permission.objects.filter(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                ).first()
                if permission is not None:
                    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ladder", "0002_history"),
        ("postings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
