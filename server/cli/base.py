"""What every `tagengo` command shares: --data-dir, one-line errors, config without a secret."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from server.core import config as settings

DATA_DIR_HELP = "Data folder (TAGENGO_DATA_DIR; default ./tagengo-data)."


def _set_data_dir(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        os.environ["TAGENGO_DATA_DIR"] = str(Path(value).expanduser().resolve())


def _add_data_dir(command: click.Command) -> None:
    """Give ``command`` (and, for a group, every command under it) a --data-dir option."""
    if not any(p.name in ("data_dir", "data_dir_anywhere") for p in command.params):
        command.params.append(
            click.Option(
                ["--data-dir", "data_dir_anywhere"],
                help=DATA_DIR_HELP,
                expose_value=False,
                is_eager=True,
                callback=_set_data_dir,
            )
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_data_dir(sub)


def leaf_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every runnable command under ``group`` with its full name, e.g. "models install"."""
    found: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(leaf_commands(command, full + " "))
        else:
            found.append((full, command))
    return found


def _one_line(exc: BaseException) -> str:
    """Turn an error a user can cause (setting, file, database, Redis) into one line."""
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return (
            f"the database is not ready ({reason}); check TAGENGO_DATABASE_URL "
            "and run `tagengo db upgrade`"
        )
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text


USER_ERRORS: tuple[type[BaseException], ...] = (RuntimeError, ValueError, OSError)


class TagengoGroup(click.Group):
    """The top-level group: --data-dir everywhere, every command in --help, no tracebacks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_data_dir(self)  # `tagengo --data-dir D models list` as well as after the command

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _add_data_dir(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, cmd.get_short_help_str(200)) for name, cmd in leaf_commands(self)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from redis.exceptions import RedisError
        from sqlalchemy.exc import SQLAlchemyError

        kwargs["standalone_mode"] = False
        user_errors: tuple[type[BaseException], ...] = (*USER_ERRORS, SQLAlchemyError, RedisError)
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.exceptions.UsageError as exc:
            hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
            click.echo(f"Error: {' '.join(exc.format_message().split())}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except user_errors as exc:
            click.echo(f"Error: {_one_line(exc)}", err=True)
            sys.exit(1)


def load_config() -> dict[str, Any]:
    """Read the settings as the app would (defaults, then TAGENGO_*), without building it."""
    from flask import Config

    config = Config(os.getcwd(), settings.defaults())
    config.from_prefixed_env("TAGENGO")
    settings.normalize(config)
    return dict(config)


def app(role: str = "cli", *, needs_secret: bool = True) -> Any:
    """Build the app; a command that signs nothing runs without TAGENGO_SECRET_KEY."""
    from server import create_app

    if not needs_secret:
        config = load_config()
        key_file = Path(config["DATA_DIR"]) / "secret_key"
        if not config["SECRET_KEY"] and not key_file.exists():
            # Nothing this command does is signed, so a throwaway key is never relied on.
            return create_app({"SECRET_KEY": secrets.token_hex(32)}, role=role)
    return create_app(role=role)
