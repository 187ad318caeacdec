#!/usr/bin/env python3
"""CDK entry point: context picks the target (local|aws), the profile and the stage; see infra/config.py."""

from __future__ import annotations

import sys

from aws_cdk import App

from infra.config import DeploymentConfig, DeploymentContextError
from infra.deployment import add_deployment, check_with_cdk_nag


def main() -> None:
    app = App()
    try:
        config = DeploymentConfig.from_context(
            {key: app.node.try_get_context(key) for key in DeploymentConfig.context_keys()}
        )
        add_deployment(app, config)
    except DeploymentContextError as error:
        # One line naming the context key reads better in `cdk synth` output than a jsii traceback.
        sys.exit(f"dataops: {error}")
    check_with_cdk_nag(app)
    app.synth()


if __name__ == "__main__":
    main()
