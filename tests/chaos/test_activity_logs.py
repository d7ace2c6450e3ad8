"""Reading the chaos workers' activity logs: what is in flight, and how many retries."""

from pathlib import Path

from tests.chaos.faults import InFlight, retries


def test_in_flight_follows_the_log_as_it_grows_and_skips_a_line_cut_by_the_kill(
    tmp_path: Path,
) -> None:
    log = tmp_path / "worker-1.1.activities"
    log.write_text(
        "1.0 start erp.reserve 1 3 pos:S001:T1:A\n"
        "1.1 start store.claim 1 1 pos:S001:T1:B\n"
        "1.2 end store.claim 1 1 pos:S001:T1:B\n"
    )
    watch = InFlight(log)
    assert watch.kinds() == {"erp.reserve": 1}
    with log.open("a") as more:
        more.write("1.3 start store.claim 1 1 pos:S001:T1:C\n1.4 end erp.reserve 1 3 pos:S0")
    assert watch.kinds() == {"erp.reserve": 1, "store.claim": 1}, "a line not whole is not read"
    with log.open("a") as more:
        more.write("01:T1:A\n")
    assert watch.kinds() == {"store.claim": 1}


def test_the_same_activity_of_two_runs_is_two_activities_in_flight(tmp_path: Path) -> None:
    log = tmp_path / "worker-2.1.activities"
    log.write_text(
        "1.0 start erp.book 1 10 pos:S001:T1:A\n"
        "1.0 start erp.book 1 10 pos:S001:T1:B\n"
        "1.1 end erp.book 1 10 pos:S001:T1:A\n"
    )
    assert InFlight(log).kinds() == {"erp.book": 1}


def test_retries_count_the_attempts_beyond_the_first_over_every_log(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text("1.0 start erp.reserve 1 3 w\n1.0 end erp.reserve 1 3 w\n")
    second.write_text("2.0 start erp.reserve 2 3 w\n2.1 start erp.reserve 3 3 w\n2.2 end x")
    assert retries([first, second]) == 2
