"""The `tagengo` command: bring a center up, manage its database, accounts and boards."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from server.cli import base as cli_base
from server.core import config as settings
from server.words import Role


def _app(role: str = "cli", *, needs_secret: bool = True) -> Any:
    return cli_base.app(role, needs_secret=needs_secret)


@click.group(
    cls=cli_base.TagengoGroup,
    help="Tagengo — disaster multilingual support center (災害多言語支援センター).",
)
def main() -> None:
    """Entry point of the `tagengo` console script."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (TAGENGO_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (TAGENGO_PORT).")
@click.option("--data-dir", default=None, help="Data folder (TAGENGO_DATA_DIR).")
@click.option("--demo", "with_demo", is_flag=True, help="Seed the demo center once it is up.")
def up(host: str | None, port: int | None, data_dir: str | None, with_demo: bool) -> None:
    """Start the whole center on this machine: Redis, web, worker and beat."""
    from server.core import database, embedded
    from server.models import Board
    from server.people import accounts
    from server.web.console.shelters import board_url

    env = dict(os.environ)
    for key, value in (("HOST", host), ("PORT", port), ("DATA_DIR", data_dir)):
        if value is not None:
            env[f"TAGENGO_{key}"] = str(value)
    folder = Path(env.get("TAGENGO_DATA_DIR", settings.defaults()["DATA_DIR"])).resolve()
    env["TAGENGO_DATA_DIR"] = str(folder)
    env.setdefault("TAGENGO_SECRET_KEY", embedded.secret_key(folder))
    stack = embedded.Stack()
    runtime_url = folder / "redis.url"
    runtime_url.unlink(missing_ok=True)
    try:
        if not env.get("TAGENGO_REDIS_URL"):
            click.echo("Starting the bundled Redis …")
            env["TAGENGO_REDIS_URL"] = stack.start_redis(folder / "redis", env)
            runtime_url.write_text(env["TAGENGO_REDIS_URL"])
        os.environ.update(env)
        app = _app()
        click.echo("Upgrading the database schema …")
        database.upgrade(app.config["DATABASE_URL"])
        with app.app_context():
            admin = accounts.first_admin()
            from server.core.extensions import db

            board = db.session.query(Board).order_by(Board.id).first()
            if board is None:
                shelter = accounts.create_shelter("多言語支援センター", "Tagengo Shien Center")
                board = accounts.create_board(shelter.id, "Center lobby")
            link = board_url(board)
        logs = folder / "logs"
        logs.mkdir(exist_ok=True)
        web = stack.start("web", embedded.web_argv(), env, logs / "web.log")
        stack.start(
            "worker",
            embedded.worker_argv(app.config["WORKER_CONCURRENCY"]),
            env,
            logs / "worker.log",
        )
        stack.start("beat", embedded.beat_argv(folder), env, logs / "beat.log")
        url = f"http://127.0.0.1:{app.config['PORT']}"
        click.echo("Starting web, worker and beat …")
        embedded.wait_for_health(url, 60, web)
        click.echo("")
        click.secho("Tagengo is running.", fg="green", bold=True)
        click.echo(f"  Console:  {app.config['PUBLIC_URL']}/")
        if admin:
            click.echo(f"  First admin: user 'admin', one-time password: {admin[1]}")
            click.echo("              (shown only now; you choose your own at the first sign-in)")
        click.echo(f"  Board:    {link}")
        click.echo(f"  Data:     {folder}  (logs in {logs})")
        if with_demo:
            from server.cli import demo_data as seed

            with app.app_context():
                for line in seed.seed():
                    click.echo("  " + line)
        click.echo("  Stop with Ctrl-C.")
        _wait(stack)
    finally:
        click.echo("Stopping …")
        stack.stop()
        runtime_url.unlink(missing_ok=True)
        click.echo("Stopped.")


def _wait(stack: Any) -> None:
    stopping = {"now": False}

    def _stop(_signum: int, _frame: Any) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping["now"]:
        restarted, failed = stack.revive()
        for name in restarted:
            click.secho(f"{name} stopped unexpectedly; restarted it (see its log).", err=True)
        if failed:
            click.secho(
                f"{', '.join(failed)} kept stopping; giving up. See the logs.", fg="red", err=True
            )
            sys.exit(1)
        time.sleep(0.5)


@main.command()
def web() -> None:
    """Run one web process (gevent): console, API, boards, Socket.IO."""
    os.execv(sys.executable, [sys.executable, "-m", "server.core.webserver"])


@main.command()
@click.option("--concurrency", "-c", default=None, type=int, help="Worker threads.")
@click.option(
    "--queues",
    "-Q",
    default=None,
    help="Comma-separated queues to consume (default: all). E.g. `machine` on a machine "
    "that only translates, `translate,maintenance` on the others.",
)
def worker(concurrency: int | None, queues: str | None) -> None:
    """Run one Celery worker (on every queue unless --queues says otherwise)."""
    from server.core import embedded
    from server.core.tasks import QUEUES

    names = [q.strip() for q in (queues or embedded.WORKER_QUEUES).split(",") if q.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if unknown or not names:
        raise click.BadParameter(
            f"unknown queue(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(QUEUES)}",
            param_hint="--queues",
        )
    app = _app()
    argv = embedded.worker_argv(
        concurrency or app.config["WORKER_CONCURRENCY"], queues=",".join(names)
    )
    os.execv(argv[0], argv)


@main.command()
def beat() -> None:
    """Run Celery beat (the outbox sweep)."""
    from server.core import embedded

    app = _app()
    argv = embedded.beat_argv(Path(app.config["DATA_DIR"]))
    os.execv(argv[0], argv)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to TAGENGO_DATABASE_URL."""
    from server.core import database

    app = _app(needs_secret=False)
    database.upgrade(app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@main.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder to write the backup into (default: TAGENGO_BACKUP_DIR).",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    help="Afterwards delete all but the newest KEEP backups in that folder.",
)
def backup_command(folder: str | None, keep: int | None) -> None:
    """Back up the database and the board-link key (safe while the center runs)."""
    from server.core import backup

    try:
        archive = backup.create(cli_base.load_config(), Path(folder) if folder else None)
        removed = backup.prune(archive.parent, keep) if keep else []
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {archive} ({archive.stat().st_size / 1e6:.1f} MB).")
    if removed:
        click.echo(f"Deleted {len(removed)} older backup(s).")


@main.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing database (stop the center first).")
def restore_command(archive: str, force: bool) -> None:
    """Restore a backup into this data folder's database, then check its health."""
    from server.core import backup

    try:
        result = backup.restore(Path(archive), cli_base.load_config(), force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {result['announcements']} announcement(s), {result['inquiries']} "
        f"inquiry(ies) and {result['memory']} memory entry(ies); the database is healthy."
    )


@main.group()
def users() -> None:
    """Operator accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="operator")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--languages", default="ja", help="Languages this person works in, e.g. ja,vi,en.")
def users_create(username: str, role: str, password_stdin: bool, languages: str) -> None:
    """Create an account; prints a one-time password (changed at first sign-in) unless given."""
    from server.people import accounts

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with _app(needs_secret=False).app_context():
        try:
            _user, used = accounts.create_user(username, role, password, languages)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Created {role} '{username}'.")
    if not password_stdin:
        click.echo(f"One-time password (shown once, changed at first sign-in): {used}")


@users.command("list")
def users_list() -> None:
    """List accounts: name, role, languages, state."""
    from sqlalchemy import select

    from server.core.extensions import db as database
    from server.models import User

    with _app().app_context():
        for user in database.session.scalars(select(User).order_by(User.username)):
            state = "disabled" if not user.active else "active"
            if user.active and user.must_change_password:
                state += " (one-time password)"
            click.echo(f"{user.username}\t{user.role}\t{user.languages}\t{state}")


def _change_user(username: str, change: Callable[[Any], str]) -> None:
    from server.people import accounts

    with _app().app_context():
        try:
            click.echo(change(accounts.find_user(username)))
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None


@users.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable a disabled account again.")
def users_disable(username: str, enable: bool) -> None:
    """Disable an account: it cannot sign in and its API tokens stop working."""
    from server.people import accounts

    def change(user: Any) -> str:
        accounts.set_active(user, enable)
        return f"{'Enabled' if enable else 'Disabled'} '{user.username}'."

    _change_user(username, change)


@users.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give an account a new one-time password (printed once, changed at next sign-in)."""
    from server.people import accounts

    _change_user(
        username,
        lambda user: (
            "One-time password (shown once, changed at next sign-in): "
            + accounts.reset_password(user)
        ),
    )


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def users_set_role(username: str, role: str) -> None:
    """Change an account's role."""
    from server.people import accounts

    def change(user: Any) -> str:
        accounts.set_role(user, role)
        return f"'{user.username}' is now {role}."

    _change_user(username, change)


@main.group()
def tokens() -> None:
    """API tokens for scripts and integrations."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
def tokens_create(username: str, name: str) -> None:
    """Print a new API token for USERNAME (shown once)."""
    from server.people import accounts

    with _app(needs_secret=False).app_context():
        try:
            click.echo(accounts.create_token(username, name))
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None


@main.group()
def shelters() -> None:
    """Shelters."""


@shelters.command("create")
@click.argument("name_ja")
@click.option("--romaji", default="")
@click.option("--address", default="")
def shelters_create(name_ja: str, romaji: str, address: str) -> None:
    """Register a shelter; prints its id."""
    from server.people import accounts

    with _app(needs_secret=False).app_context():
        shelter = accounts.create_shelter(name_ja, romaji, address)
        click.echo(f"Shelter {shelter.id}: {shelter.name_ja}")


@main.group()
def boards() -> None:
    """Shelter boards."""


@boards.command("create")
@click.argument("shelter_id", type=int)
@click.argument("name")
@click.option("--layout", type=click.Choice(["grid", "cycle"]), default="grid")
def boards_create(shelter_id: int, name: str, layout: str) -> None:
    """Add a board to a shelter and print its link."""
    from server.people import accounts
    from server.web.console.shelters import board_url

    with _app().app_context():
        try:
            board = accounts.create_board(shelter_id, name, layout)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(board_url(board))


@boards.command("list")
def boards_list() -> None:
    """Print every board with its link."""
    from sqlalchemy import select

    from server.core.extensions import db as database
    from server.models import Board
    from server.web.console.shelters import board_url

    with _app().app_context():
        for board in database.session.scalars(select(Board).order_by(Board.id)):
            click.echo(f"{board.id}\t{board.shelter.name_ja}\t{board.name}\t{board_url(board)}")


@main.command()
def demo() -> None:
    """Seed a demo center: two shelters, three boards and a few announcements."""
    from server.cli import demo_data as seed

    with _app().app_context():
        for line in seed.seed():
            click.echo(line)


@main.command("config")
@click.option("--markdown", is_flag=True, help="Print the README's configuration table.")
def show_config(markdown: bool) -> None:
    """Show every TAGENGO_* setting."""
    if markdown:
        click.echo(settings.markdown_table())
        return
    for option in settings.OPTIONS:
        click.echo(f"TAGENGO_{option.name}={option.default}  # {option.help}")


@main.group()
def models() -> None:
    """Offline machine-translation models (Argos .argosmodel packages)."""


def _packages_dir() -> Path:
    return Path(cli_base.load_config()["ARGOS_PACKAGES_DIR"])


@models.command("install")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--from", "from_code", help="Source language of a model folder (Argos code; NLLB: a list)."
)
@click.option(
    "--to", "to_code", help="Target language of a model folder (Argos code; NLLB: a list)."
)
@click.option("--version", "version", default="1.0", show_default=True, help="A folder's version.")
def models_install(
    files: tuple[str, ...], from_code: str | None, to_code: str | None, version: str
) -> None:
    """Install .argosmodel files, or CTranslate2 model folders with --from/--to (offline).

    An NLLB or M2M-100 folder serves every pair of its lists: --from ja --to tl,ne,my.
    """
    from translations.mt import ModelError, install
    from translations.mt.folders import detect, install_folder, install_multilingual
    from translations.mt.multilingual import FLAVOURS

    folder = _packages_dir()
    for name in files:
        try:
            if not Path(name).is_dir():
                installed = [install(Path(name), folder)]
            elif not from_code or not to_code:
                raise ModelError("a model folder needs --from and --to, e.g. --from ja --to en")
            else:
                sources, targets = _codes(from_code), _codes(to_code)
                if detect(Path(name)).name in FLAVOURS:
                    pairs = [(a, b) for a in sources for b in targets if a != b]
                    installed = install_multilingual(Path(name), folder, pairs, version=version)
                elif len(sources) == 1 and len(targets) == 1:
                    installed = [
                        install_folder(Path(name), folder, sources[0], targets[0], version=version)
                    ]
                else:
                    raise ModelError("a pair's model folder takes one --from and one --to")
        except ModelError as exc:
            raise click.ClickException(f"{name}: {exc}") from None
        size = installed[0].size_bytes / 1e6
        labels = ", ".join(p.label for p in installed)
        click.echo(f"Installed {labels} ({size:.0f} MB) from {name}")


def _codes(value: str) -> list[str]:
    """Read a comma list of language codes, such as "tl,ne,my"."""
    return [code.strip() for code in value.split(",") if code.strip()]


@models.command("list")
def models_list() -> None:
    """List installed models and which center languages they reach from the source language."""
    from translations import languages
    from translations.machine import settings as engine_settings
    from translations.mt import ArgosEngine

    config = cli_base.load_config()
    engine = ArgosEngine(engine_settings(config))
    packages = engine.installed()
    if not packages:
        click.echo(f"No models installed in {config['ARGOS_PACKAGES_DIR']}.")
    for p in packages:
        click.echo(
            f"{p.from_code}→{p.to_code}\tversion {p.package_version}\t{p.kind}\t"
            f"{p.size_bytes / 1e6:.0f} MB\t{p.path}"
        )
    source = languages.get(config["SOURCE_LANGUAGE"])
    click.echo(f"\nFrom {config['SOURCE_LANGUAGE']}:")
    for code in config["TARGET_LANGUAGES"]:
        target = languages.get(code)
        if source is None or target is None or not source.argos or not target.argos:
            click.echo(f"  {code}: written by people only")
            continue
        route = engine.route(source.argos, target.argos)
        if route is None:
            click.echo(f"  {code}: no model — shown as pending until a person translates it")
        else:
            via = " via English" if len(route) > 1 else ""
            click.echo(f"  {code}: machine translation{via}")


@models.command("remove")
@click.argument("pair")
def models_remove(pair: str) -> None:
    """Remove an installed model, e.g. `tagengo models remove zh-en`."""
    from translations.mt import ModelError, remove

    try:
        source, target = pair.replace("→", "-").split("-", 1)
        package = remove(_packages_dir(), source, target)
    except ValueError:
        raise click.ClickException("give the pair as FROM-TO, e.g. ja-en") from None
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Removed {package.label}.")


@models.command("download")
@click.argument("pairs", nargs=-1, required=True)
def models_download(pairs: tuple[str, ...]) -> None:
    """Download models from the Argos package index (needs internet; do it before a disaster)."""
    from translations.mt import ModelError, download

    try:
        wanted = [tuple(p.split("-", 1)) for p in pairs]
        if any(len(w) != 2 for w in wanted):
            raise ValueError
    except ValueError:
        raise click.ClickException("give pairs as FROM-TO, e.g. ja-en en-vi") from None
    try:
        for package in download([(a, b) for a, b in wanted], _packages_dir()):
            click.echo(f"Installed {package.label}")
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def inquiries() -> None:
    """Residents' inquiries."""


@inquiries.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    required=True,
    help="Empty personal fields of inquiries older than this many days.",
)
def inquiries_purge(days: int) -> None:
    """Remove personal data of old inquiries; anonymous counts stay for the reports."""
    from server.inquiries import service

    with _app(needs_secret=False).app_context():
        count = service.purge(days)
    click.echo(f"Purged personal data of {count} inquiry(ies) older than {days} days.")
