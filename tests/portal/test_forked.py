"""Work forked beside a build sends back its value, or its error."""

import os

import pytest

from portal import forked


def test_the_value_comes_back():
    wait = forked.start(lambda: {"pid": os.getpid(), "text": "统计" * 100_000})
    value = wait()
    assert value["pid"] != os.getpid()  # computed in another process
    assert value["text"] == "统计" * 100_000  # more than a pipe holds at once


def test_an_error_is_raised_where_the_value_is_waited_for():
    def fails():
        raise ValueError("坏数据 bad data")

    wait = forked.start(fails)
    with pytest.raises(ValueError, match="bad data"):
        wait()


def test_a_fork_that_dies_is_reported():
    wait = forked.start(lambda: os._exit(3))
    with pytest.raises(forked.ForkFailed):
        wait()
