"""Stand-in for clickhouse-connect (not packaged in Debian) so the bundled example app imports and
serves /health in the tests. Queries fail: the tests never reach ClickHouse."""


class _Client:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def query(self, *args, **kwargs):
        raise ConnectionError("clickhouse stub: no server in the test environment")


def get_client(**kwargs):
    return _Client(**kwargs)
