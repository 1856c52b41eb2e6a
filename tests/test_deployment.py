"""Replicas on real shared services, deployed with the README's own commands.

On 127.0.0.1: a throwaway PostgreSQL cluster, `chroma run`, the index built into it, two
`python app.py` replicas sharing both, and nginx with the README's configuration in front. Then:
one conversation served alternately by both replicas keeps its patient; a replica killed
mid-conversation loses nothing; 40 concurrent API clients spread over both all get their own
answers; the embedded and the Chroma-server index give the same top 5 on the gold questions; and
a single server with the default SQLite store keeps a conversation across a restart.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from services import (
    BIN,
    ROOT,
    Postgres,
    Replica,
    chroma_command,
    post_json,
    postgres,
    start_replica,
    stop,
    wait_for,
)

from api.load import run_load
from ui.load import free_port

pytestmark = [pytest.mark.server, pytest.mark.slow]

# The README's deployment commands, with the values it shows; the test runs the same lines with
# free ports and temporary paths.
README_VALUES = {
    "chroma_path": "/srv/hcc/chroma",
    "chroma_port": 8000,
    "pg_port": 5432,
    "port1": 7861,
    "port2": 7862,
}
COMMANDS = [
    ".venv/bin/chroma run --path {chroma_path} --host 127.0.0.1 --port {chroma_port}",
    "export HCC_CHROMA_MODE=http HCC_CHROMA_HOST=127.0.0.1 HCC_CHROMA_PORT={chroma_port}",
    "export HCC_CONVERSATIONS_STORE=postgres "
    "HCC_CONVERSATIONS_URL=postgresql://hcc@127.0.0.1:{pg_port}/hcc",
    ".venv/bin/python -m corpus build",
    ".venv/bin/python app.py --port {port1} --root-path /hcc",
    "GRADIO_SERVER_NAME=127.0.0.1 GRADIO_SERVER_PORT={port2} .venv/bin/python app.py "
    "--root-path /hcc",
    ".venv/bin/python -m assistant conversations purge",
]
NGINX_PORT = 8080  # in the README's configuration
VIGNETTE = "Child-Pugh A, ECOG 0, AFP {afp} ng/mL, no varices on EGD, long-term control: options?"
SECTION = "## Running several replicas"


def readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_the_readme_shows_the_commands_this_test_runs() -> None:
    (block,) = readme_blocks("sh")
    assert block.splitlines() == [c.format(**README_VALUES) for c in COMMANDS]
    (config,) = readme_blocks("nginx")
    for port in ("7861", "7862"):
        assert f"server 127.0.0.1:{port}" in config
    assert f"listen {NGINX_PORT};" in config


def command(line: str, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """A README line as argv and environment (`export` lines change `env` and return [])."""
    words = shlex.split(line)
    if words[0] == "export":
        env.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
        return [], env
    extra = {}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        extra[name] = value
    if words[0].startswith(".venv/bin/"):
        words[0] = str(BIN / words[0].removeprefix(".venv/bin/"))
    return words, {**env, **extra}


@dataclass
class Deployment:
    values: dict[str, Any]
    env: dict[str, str]
    replicas: dict[str, Replica]
    lines: dict[str, str]
    work: Path
    chroma: subprocess.Popen[bytes]
    pg: Postgres

    def start(self, name: str) -> Replica:
        argv, env = command(self.lines[name].format(**self.values), dict(self.env))
        env["HCC_DATA_DIR"] = str(self.work / f"data-{name}")  # nothing shared on local disk
        port = self.values["port1" if name == "r1" else "port2"]
        assert argv[:2] == [str(BIN / "python"), "app.py"]
        self.replicas[name] = start_replica(env, self.work, port, argv)
        return self.replicas[name]

    def url(self, name: str) -> str:
        return self.replicas[name].url

    def answered(self, name: str) -> int:
        status, health = get_json(f"{self.url(name)}/healthz")
        assert status == 200, health
        return int(health["answered"])


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    work = tmp_path_factory.mktemp("deployment")
    with postgres() as pg:
        values = {
            "chroma_path": str(work / "chroma"),
            "chroma_port": free_port(),
            "pg_port": pg.port,
            "port1": free_port(),
            "port2": free_port(),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HCC_", "GRADIO_"))}
        env["PGPASSWORD"] = pg.password  # libpq reads it; the URL carries none
        env["ANONYMIZED_TELEMETRY"] = "False"
        lines = [c.format(**values) for c in COMMANDS]
        argv, _ = command(lines[0], env)
        assert argv == chroma_command(work / "chroma", values["chroma_port"])
        chroma = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deployment = None
        try:
            wait_for(f"http://127.0.0.1:{values['chroma_port']}/api/v2/heartbeat", chroma, 60)
            command(lines[1], env)
            command(lines[2], env)
            argv, build_env = command(lines[3], env)
            build_env["HCC_DATA_DIR"] = str(work / "data-build")
            built = subprocess.run(argv, cwd=ROOT, env=build_env, capture_output=True, text=True)
            assert built.returncode == 0, built.stderr[-2000:]
            deployment = Deployment(
                values, env, {}, {"r1": COMMANDS[4], "r2": COMMANDS[5]}, work, chroma, pg
            )
            deployment.start("r1")
            deployment.start("r2")
            yield deployment
        finally:
            for replica in deployment.replicas.values() if deployment else []:
                stop(replica.process)
            stop(chroma)


def ask(base: str, question: str, thread: str | None = None) -> dict[str, Any]:
    status, body = post_json(
        f"{base}/api/v1/ask", {"question": question, **({"thread": thread} if thread else {})}
    )
    assert status == 200, body
    assert not body["refused"], body["refusal_reason"]
    return body


def test_both_replicas_serve_from_the_shared_services(deployment) -> None:
    for name in ("r1", "r2"):
        status, health = get_json(f"{deployment.url(name)}/healthz")
        assert status == 200 and health["status"] == "ready", health
        assert health["index"] == "177 chunks (http)" and health["conversations"] == "postgres"
    # Replica 2 was started by GRADIO_SERVER_NAME/GRADIO_SERVER_PORT alone, replica 1 by --port.
    assert deployment.replicas["r2"].port == deployment.values["port2"]


def test_one_conversation_served_alternately_keeps_its_patient(deployment) -> None:
    urls = [deployment.url("r1"), deployment.url("r2")]
    first = ask(urls[0], VIGNETTE.format(afp=3101))
    thread = first["thread"]
    follow_ups = [
        ("and if she had a liver transplant?", {"organ_transplant": True}),
        ("What if ECOG 1?", {"organ_transplant": True, "ecog": 1}),
        ("What if she also has untreated varices?", {"varices": "untreated_or_severe"}),
        ("and she progressed on lenvatinib", {"prior_regimens": ["lenvatinib"]}),
    ]
    for turn, (question, expected) in enumerate(follow_ups, start=1):
        answer = ask(urls[turn % 2], question, thread)
        assert answer["thread"] == thread
        assert (
            answer["profile"]["afp_ng_ml"] == 3101 and answer["profile"]["child_pugh_class"] == "A"
        )
        for field, value in expected.items():
            assert answer["profile"][field] == value, (turn, field, answer["profile"])


def test_a_replica_killed_mid_conversation_loses_nothing(deployment, capsys) -> None:
    r1, r2 = deployment.url("r1"), deployment.url("r2")
    turns = 0
    thread = ask(r1, VIGNETTE.format(afp=3202))["thread"]
    ask(r1, "and if she had a liver transplant?", thread)
    turns += 2
    os.kill(deployment.replicas["r1"].process.pid, signal.SIGKILL)  # a crash, not a shutdown
    deployment.replicas["r1"].process.wait(timeout=10)
    answer = ask(r2, "What if ECOG 1?", thread)
    turns += 1
    assert answer["profile"]["afp_ng_ml"] == 3202 and answer["profile"]["organ_transplant"] is True
    assert answer["profile"]["ecog"] == 1
    began = time.perf_counter()
    r1 = deployment.start("r1").url  # the same command brings the replica back
    restart_s = time.perf_counter() - began
    answer = ask(r1, "What if she also has untreated varices?", thread)
    turns += 1
    assert answer["profile"]["afp_ng_ml"] == 3202 and answer["profile"]["ecog"] == 1
    assert answer["profile"]["varices"] == "untreated_or_severe"
    with capsys.disabled():
        print(
            f"\nfailover: {turns}/{turns} turns answered across a killed replica, 0 lost; "
            f"the replica was ready again {restart_s:.1f} s after its restart"
        )


def test_forty_concurrent_clients_over_both_replicas(deployment, capsys) -> None:
    report = run_load([deployment.url("r1"), deployment.url("r2")], clients=40, questions=5)
    with capsys.disabled():
        print(f"\nAPI load over 2 replicas: {report.summary()}")
    assert report.problems == []
    assert len(report.latencies_s) == 200
    assert all(len(client.servers) == 2 for client in report.clients)  # every thread crossed
    assert report.percentile(95) < 60  # a hang, not a performance target


@pytest.fixture(scope="module")
def embedded_data(tmp_path_factory) -> Path:
    """An embedded index built with the real model (for the comparison and the restart)."""
    from corpus.embeddings import MiniLMEmbedder
    from corpus.retrieval import ensure_index
    from corpus.settings import IndexSettings

    data = tmp_path_factory.mktemp("embedded") / "data"
    ensure_index(IndexSettings(data_dir=data), progress=False, embedder=MiniLMEmbedder())
    return data


def test_identical_top5_from_the_embedded_index_and_the_chroma_server(
    deployment, embedded_data, tmp_path, capsys
) -> None:
    from corpus.embeddings import MiniLMEmbedder
    from corpus.evaluation import load_gold
    from corpus.retrieval import open_retriever
    from corpus.settings import IndexSettings

    embedder = MiniLMEmbedder()
    capsys.readouterr()
    embedded = open_retriever(IndexSettings(data_dir=embedded_data), False, embedder)
    served = open_retriever(
        IndexSettings(
            data_dir=tmp_path / "fresh",  # no local manifest: the server's says it is current
            chroma_mode="http",
            chroma_port=deployment.values["chroma_port"],
        ),
        False,
        embedder,
    )
    assert "Index built" not in capsys.readouterr().err  # searched as the README's build left it
    gold = load_gold()
    differing = [
        g.question
        for g in gold
        if [h.chunk.id for h in embedded.search(g.question, 5)]
        != [h.chunk.id for h in served.search(g.question, 5)]
    ]
    with capsys.disabled():
        print(
            f"\nembedded vs Chroma server: identical top-5 on {len(gold) - len(differing)}/"
            f"{len(gold)} gold questions"
        )
    assert len(gold) >= 100 and differing == []


def test_the_purge_command_works_on_the_shared_store(deployment) -> None:
    thread = ask(deployment.url("r2"), VIGNETTE.format(afp=3303))["thread"]
    argv, env = command(COMMANDS[6].format(**deployment.values), dict(deployment.env))
    env["HCC_DATA_DIR"] = str(deployment.work / "data-purge")
    kept = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert kept.returncode == 0, kept.stderr
    assert re.match(r"deleted 0 of \d+ conversations .*\(postgres\)", kept.stdout), kept.stdout
    gone = subprocess.run(
        [*argv, "--older-than-days", "0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert gone.returncode == 0 and "deleted 0 of" not in gone.stdout, gone.stdout
    status, body = post_json(
        f"{deployment.url('r1')}/api/v1/ask", {"question": "and ECOG 1?", "thread": thread}
    )
    assert status == 404, body


IDENTIFIED = (
    "Mr John Smith, MRN 1234567, DOB 03/04/1956, email john.smith@example.org, phone "
    "555-123-4567. " + VIGNETTE.format(afp=3808)
)


def test_only_redacted_text_reaches_the_shared_database(deployment) -> None:
    import psycopg

    first = ask(deployment.url("r1"), IDENTIFIED)
    ask(
        deployment.url("r2"),
        "and if she had a liver transplant? Call 555-123-4567",
        first["thread"],
    )
    with psycopg.connect(deployment.pg.url) as connection:
        rows = connection.execute(
            "SELECT thread_id, checkpoint::text, metadata::text FROM checkpoints "
            "UNION ALL SELECT thread_id, encode(blob, 'escape'), channel FROM checkpoint_blobs "
            "UNION ALL SELECT thread_id, encode(blob, 'escape'), channel FROM checkpoint_writes"
        ).fetchall()
    stored = "\n".join(" ".join(str(v) for v in row) for row in rows)
    assert first["thread"] in stored and "[NAME]" in stored and "3808" in stored
    leaked = [
        i for i in ("John", "Smith", "1234567", "1956", "example.org", "555-123") if i in stored
    ]
    assert leaked == []


def test_a_database_outage_is_a_503_and_heals(deployment) -> None:
    r1, r2 = deployment.url("r1"), deployment.url("r2")
    thread = ask(r1, VIGNETTE.format(afp=3909))["thread"]
    deployment.pg.pg_ctl("stop")
    try:
        status, body = post_json(
            f"{r1}/api/v1/ask", {"question": "and if she had a liver transplant?", "thread": thread}
        )
        assert status == 503, body
        assert body == {"detail": "the conversation store is unavailable; retry shortly"}
        status, health = get_json(f"{r2}/healthz")
        assert status == 503 and health["detail"].startswith(
            "the conversation store cannot be read"
        )
    finally:
        deployment.pg.pg_ctl("start")
    answer = ask(r2, "and if she had a liver transplant?", thread)  # broken connections replaced
    assert answer["profile"]["afp_ng_ml"] == 3909 and answer["profile"]["organ_transplant"] is True
    for url in (r1, r2):
        assert get_json(f"{url}/healthz")[0] == 200


# --- nginx with the README's configuration --------------------------------------------------


@pytest.fixture(scope="module")
def proxy(deployment, tmp_path_factory) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed: `make test` installs Debian's nginx"
    home = Path(tempfile.mkdtemp(prefix="hcc-nginx-"))  # under /tmp: nginx's workers reach it
    (config,) = readme_blocks("nginx")
    port = free_port()
    config = (
        config.replace("127.0.0.1:7861", f"127.0.0.1:{deployment.values['port1']}")
        .replace("127.0.0.1:7862", f"127.0.0.1:{deployment.values['port2']}")
        .replace(f"listen {NGINX_PORT};", f"listen 127.0.0.1:{port};")
    )
    (home / "hcc.conf").write_text(config)
    user = ""
    if os.geteuid() == 0:  # the workers run as nobody; their temporary files live here
        nobody = pwd.getpwnam("nobody")
        user = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
    temp = " ".join(
        f"{kind}_temp_path {home}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (home / "nginx.conf").write_text(
        f"{user}\nworker_processes 1;\ndaemon off;\npid {home}/nginx.pid;\n"
        f"error_log {home}/error.log;\nevents {{ worker_connections 512; }}\n"
        f"http {{ access_log off; {temp} include {home}/hcc.conf; }}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(home), "-c", str(home / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([nginx, "-p", str(home), "-c", str(home / "nginx.conf")])
    try:
        wait_for(f"http://127.0.0.1:{port}/hcc/healthz", process, 30)
        yield f"http://127.0.0.1:{port}/hcc"
    finally:
        stop(process, signal.SIGQUIT)
        shutil.rmtree(home, ignore_errors=True)


def test_through_the_proxy_api_calls_are_spread_and_survive_a_lost_replica(
    deployment, proxy
) -> None:
    before = {name: deployment.answered(name) for name in ("r1", "r2")}
    thread = ask(proxy, VIGNETTE.format(afp=3404))["thread"]
    for question in ("and if she had a liver transplant?", "What if ECOG 1?"):
        ask(proxy, question, thread)
    after = {name: deployment.answered(name) for name in ("r1", "r2")}
    served = {name: after[name] - before[name] for name in after}
    assert sum(served.values()) == 3 and min(served.values()) >= 1, served  # no stickiness
    os.kill(deployment.replicas["r2"].process.pid, signal.SIGKILL)
    deployment.replicas["r2"].process.wait(timeout=10)
    latencies = []
    for question in (
        "What if she also has untreated varices?",
        "and she progressed on lenvatinib",
        "What if ECOG 1?",
        "and if she had a liver transplant?",
    ):
        began = time.perf_counter()
        answer = ask(proxy, question, thread)  # the proxy skips the dead replica
        latencies.append(time.perf_counter() - began)
        assert answer["profile"]["afp_ng_ml"] == 3404 and answer["profile"]["ecog"] == 1
    assert statistics.median(latencies) < 30
    deployment.start("r2")


def test_the_web_ui_answers_under_the_root_path(deployment, proxy) -> None:
    from gradio_client import Client

    status, _ = get_json(f"{proxy}/healthz")
    assert status == 200
    _, config = get_json(f"{proxy}/config")
    assert config["root"] == f"{proxy}"  # links and the event stream go through the proxy
    client = Client(f"{proxy}/", verbose=False, download_files=False)
    output = client.predict(VIGNETTE.format(afp=3505), api_name="/ask")
    answer = output[1][-1]["content"]
    text = answer if isinstance(answer, str) else " ".join(p.get("text", "") for p in answer)
    assert "Atezolizumab + bevacizumab" in text and "Decision support only" in text


# --- one server, the default SQLite store ---------------------------------------------------


def test_a_restarted_server_continues_the_conversation(embedded_data, tmp_path, capsys) -> None:
    """`python app.py` as installed: ask, stop it, start it, follow up: the patient is kept."""
    data = embedded_data
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HCC_", "GRADIO_"))}
    env["HCC_DATA_DIR"] = str(data)
    port = free_port()
    server = start_replica(env, tmp_path, port)
    first = ask(server.url, VIGNETTE.format(afp=3606))
    stop(server.process)  # SIGTERM: the server shuts down as a service manager would stop it
    began = time.perf_counter()
    server = start_replica(env, tmp_path, port)
    ready_s = time.perf_counter() - began
    try:
        follow = ask(server.url, "and if she had a liver transplant?", first["thread"])
    finally:
        stop(server.process)
    assert follow["profile"]["afp_ng_ml"] == 3606 and follow["profile"]["child_pugh_class"] == "A"
    assert follow["profile"]["organ_transplant"] is True
    assert (data / "conversations.sqlite").exists()
    with capsys.disabled():
        print(
            f"\nrestart survival: the follow-up after a restart kept the patient "
            f"(AFP 3606, Child-Pugh A, + transplant); ready again in {ready_s:.1f} s"
        )
