"""SNS: the alert topic that notices (alerts raised and cleared, failed workflows) are published to."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

# SNS refuses a subject longer than this.
SUBJECT_LIMIT = 100


class PublishFailed(Exception):
    """A notice could not be delivered; the message names the destination and the reason."""


class AlertTopic:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self.client = client
        self.topic_arn = topic_arn

    def publish(self, subject: str, message: str) -> str:
        """The delivered message's id; raises PublishFailed when it cannot be delivered."""
        try:
            response = self.client.publish(TopicArn=self.topic_arn, Subject=subject[:SUBJECT_LIMIT], Message=message)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise PublishFailed(
                f"SNS topic {self.topic_arn}: {error.get('Code', 'error')}: {error.get('Message', exc)}"
            ) from exc
        except BotoCoreError as exc:
            raise PublishFailed(f"SNS topic {self.topic_arn}: {exc}") from exc
        return str(response["MessageId"])
