"""The per-program columns of ``AssessedHousehold``, moved to ``AssessedProgram`` by 0006."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0006_move_program_results"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="dibao_amount",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="dibao_reasons",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="dibao_result",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="near_dibao_amount",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="near_dibao_reasons",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="near_dibao_result",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="rigid_expenditure_amount",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="rigid_expenditure_reasons",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="rigid_expenditure_result",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="tekun_amount",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="tekun_reasons",
        ),
        migrations.RemoveField(
            model_name="assessedhousehold",
            name="tekun_result",
        ),
    ]
