"""The warehouse: the dbt project under ``dbt/`` as Dagster assets, its tests as asset checks."""
