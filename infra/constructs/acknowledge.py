"""Acknowledging a cdk-nag finding on the construct it concerns, always with the reason it is acceptable."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """cdk-nag 3 matches findings to the closest acknowledging construct, so this covers its children too."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))
