"""Which POS line each customer move of a ticket's shipment books, once Tryton has split some
of them to reserve part of a line (pure: moves as Tryton's search returns them)."""

from typing import Any

from connectors.erp.tryton.shipment_lines import moves_by_line


def _move(id_: int, product: str, origin: int | None = None) -> dict[str, Any]:
    return {
        "id": id_,
        "product.": {"code": product},
        "origin": f"stock.move,{origin}" if origin else None,
    }


def _ids(lines: list[list[dict[str, Any]]] | None) -> list[list[int]] | None:
    return None if lines is None else [[move["id"] for move in line] for line in lines]


def test_a_part_split_off_joins_the_line_its_origin_names() -> None:
    moves = [_move(10, "TEA", 10), _move(11, "TEA", 11), _move(15, "TEA", 11)]
    assert _ids(moves_by_line(moves, 2)) == [[10], [11, 15]]


def test_unnamed_moves_join_the_one_line_of_their_product() -> None:
    moves = [_move(10, "TEA"), _move(11, "MUG"), _move(15, "MUG"), _move(16, "TEA")]
    assert _ids(moves_by_line(moves, 2)) == [[10, 16], [11, 15]]


def test_unnamed_parts_of_a_product_on_two_lines_cannot_be_told_apart() -> None:
    moves = [_move(10, "TEA"), _move(11, "TEA"), _move(15, "TEA")]
    assert moves_by_line(moves, 2) is None


def test_fewer_moves_than_lines_name_none() -> None:
    assert moves_by_line([_move(10, "TEA", 10)], 2) is None
