"""``LineItem/LoyaltyReward`` -> promotion discounts, on the line they apply to or the basket."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.pos.errors import ConversionError
from connectors.pos.poslog.document import Node
from connectors.pos.poslog.lines import SaleLine


@dataclass(frozen=True)
class Reward:
    node: Node
    promotion_id: str
    event_id: str
    amount: Decimal
    detailed: bool
    summary_only: bool
    operator_sequence: int

    @property
    def key(self) -> tuple[str, str]:
        return self.promotion_id, self.event_id

    def discount(self) -> dict[str, Any]:
        description = self.node.text("acs:RewardType")
        if self.node.flag("acs:membershipRequired"):
            description += " (loyalty members only)"
        return {
            "kind": "promotion",
            "amount": self.amount,
            "code": self.promotion_id,
            "description": description,
        }


def read_reward(reward: Node) -> Reward | None:
    """A money reward, or None for offer counts and messages."""
    amount = reward.decimal("acs:ExtendedRewardAmount")
    if reward.text("acs:RewardCategory") != "Monetary" or amount == 0:
        return None
    if amount > 0:
        raise ConversionError(
            reward.where("acs:ExtendedRewardAmount"), f"a money reward must be negative: {amount}"
        )
    detailed = reward.flag("acs:detailedData")
    return Reward(
        node=reward,
        promotion_id=reward.text("PromotionID"),
        event_id=reward.text("EventID"),
        amount=-amount,
        detailed=detailed,
        summary_only=reward.flag("acs:summarizedActivity") and not detailed,
        operator_sequence=reward.integer("acs:OperatorSequenceReference"),
    )


def apply_rewards(lines: list[SaleLine], rewards: list[Reward]) -> list[dict[str, Any]]:
    """Attach detail rewards to their lines; return the basket discounts."""
    by_sequence = {line.operator_sequence: line for line in lines}
    basket: list[dict[str, Any]] = []
    details = [reward for reward in rewards if not reward.summary_only]
    for reward in details:
        if reward.operator_sequence == 0:
            basket.append(reward.discount())
        elif reward.operator_sequence in by_sequence:
            by_sequence[reward.operator_sequence].discounts.append(reward.discount())
        else:
            raise ConversionError(
                reward.node.where("acs:OperatorSequenceReference"),
                f"no kept Sale line has acs:OperatorSequence {reward.operator_sequence}",
            )
    detailed_by_key: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for reward in details:
        detailed_by_key[reward.key] += reward.amount
    for summary in (reward for reward in rewards if reward.summary_only):
        detailed = detailed_by_key.get(summary.key, Decimal(0))
        if not detailed:
            basket.append(summary.discount())
        elif detailed != summary.amount:
            raise ConversionError(
                summary.node.where("acs:ExtendedRewardAmount"),
                f"summary of {summary.amount} but its detail records add up to {detailed}",
            )
    return basket
