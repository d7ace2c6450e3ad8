"""The trytond configuration file shared by trytond-admin, the seed script and the server."""

from pathlib import Path

_TEMPLATE = """\
[database]
uri = sqlite://
path = {data_dir}
language = en

[web]
listen = {listen}

[queue]
# No worker: queued tasks (sale processing, invoice printing) run inline, right after the
# request that queued them commits and before its response is sent.
worker = False
"""


def write_trytond_config(path: Path, data_dir: Path, listen: str = "127.0.0.1:8000") -> Path:
    path.write_text(_TEMPLATE.format(data_dir=data_dir.resolve(), listen=listen))
    return path
