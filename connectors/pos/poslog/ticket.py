"""A RetailTransaction's line items sorted by kind; one it does not know rejects the ticket."""

from dataclasses import dataclass, field

from connectors.pos.errors import ConversionError
from connectors.pos.poslog.document import NAMESPACES, Node, short_name
from connectors.pos.poslog.lines import KeptLines, SaleLine, read_sale_line
from connectors.pos.poslog.rewards import Reward, read_reward
from domain.limits import MAX_LINES

MAX_LINE_ITEMS = 4 * MAX_LINES
"""Line items of one RetailTransaction: sales, voids, rewards, taxes, tenders, and the rest."""
_LINE_ITEM_HEADER = {"SequenceNumber", "BeginDateTime", "EndDateTime"}
_NO_MONEY_LINE_ITEMS = {
    "acs:LoyaltyMembership",
    "acs:CRMCustomVariable",
    "acs:ElectronicSignature",
    "acs:AgeRestriction",
    "acs:ItemNotFound",
    "acs:ItemRestriction",
    "acs:SupervisorOverride",
}


@dataclass
class Ticket:
    """The line items of one RetailTransaction, sorted by kind."""

    lines: list[SaleLine] = field(default_factory=list)
    rewards: list[Reward] = field(default_factory=list)
    taxes: list[Node] = field(default_factory=list)
    tenders: list[Node] = field(default_factory=list)


def read_line_items(retail: Node, currency: str, weight_unit: str) -> Ticket:
    ticket = Ticket()
    kept = KeptLines()
    elements = retail.element.findall("LineItem", NAMESPACES)
    if len(elements) > MAX_LINE_ITEMS:
        raise ConversionError(
            retail.where("LineItem"), f"{len(elements)} line items; at most {MAX_LINE_ITEMS}"
        )
    for element in elements:
        sequence = Node(element, retail.where("LineItem")).integer("SequenceNumber")
        item = Node(element, retail.where(f"LineItem[SequenceNumber={sequence}]"))
        bodies = [child for child in element if short_name(child.tag) not in _LINE_ITEM_HEADER]
        if len(bodies) != 1:
            names = ", ".join(short_name(child.tag) for child in bodies) or "nothing"
            raise ConversionError(item.path, f"expected one line item element, found {names}")
        kind = short_name(bodies[0].tag)
        body = Node(bodies[0], item.where(kind))
        if kind == "Sale":
            line = read_sale_line(
                sequence, body, item.flag("acs:weightItem"), currency, weight_unit
            )
            if item.flag("VoidFlag"):
                kept.void(line)
            else:
                kept.keep(line)
        elif item.flag("VoidFlag") or kind in _NO_MONEY_LINE_ITEMS:
            continue
        elif kind == "LoyaltyReward":
            reward = read_reward(body)
            if reward is not None:
                ticket.rewards.append(reward)
        elif kind == "Tax":
            ticket.taxes.append(body)
        elif kind == "Tender":
            ticket.tenders.append(body)
        else:
            raise ConversionError(body.path, "this line item is not supported")
    ticket.lines = kept.lines()
    return ticket
