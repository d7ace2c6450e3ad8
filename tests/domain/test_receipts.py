from domain.receipts import ReceiptGap, missing_receipts


def test_missing_receipts_between_lowest_and_highest() -> None:
    assert missing_receipts([1004, 1001, 1002, 1007, 1002]) == [1003, 1005, 1006]
    assert missing_receipts([5]) == []
    assert missing_receipts([]) == []


def test_gap_description_folds_runs() -> None:
    gap = ReceiptGap(store_id="S1", terminal_id="T1", missing=[3, 5, 6, 7, 9])
    assert gap.describe() == "store S1 terminal T1: missing 3, 5-7, 9"
