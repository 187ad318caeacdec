"""Physical names: the CDK app, the CLI and the handlers must agree on them."""

import pytest

from dataops import naming
from dataops.registry import DEPLOYED_OPERATIONS


def test_names_for_a_profile_and_stage():
    assert naming.function_name("tattoo_directory", "dev", "health") == "dataops-tattoo-directory-dev-health"
    assert naming.control_table_name("agent_system", "e2e") == "dataops-agent-system-e2e-control"
    assert naming.postgres_secret_name("agent_system", "dev") == "dataops/agent-system/dev/postgres"
    assert (
        naming.backup_bucket_name("agent_system", "dev", "000000000000")
        == "dataops-agent-system-dev-backups-000000000000"
    )


def test_dotted_user_profile_uses_its_last_segment():
    assert naming.profile_slug("acme.data.shop_orders") == "shop-orders"


def test_function_names_fit_lambda_limit():
    longest = max(DEPLOYED_OPERATIONS, key=len)
    assert len(naming.function_name("tattoo_directory", "abcdefghijklmnop", longest)) <= 64


@pytest.mark.parametrize("stage", ["Dev", "1st", "a_b", "x" * 17, ""])
def test_bad_stage_is_refused(stage):
    with pytest.raises(ValueError, match="stage"):
        naming.validate_stage(stage)


def test_local_database_name_is_a_plain_identifier_per_profile_and_stage() -> None:
    assert naming.local_database_name("tattoo_directory", "e2e-2") == "dataops_tattoo_directory_e2e_2"
    assert naming.local_database_name("acme_data.acme", "dev") == "dataops_acme_dev"
