"""Console pages for shelters and their boards."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from server.core.extensions import db
from server.core.security import board_token
from server.live import sockets
from server.models import Board, Shelter
from server.operations import activity
from server.operations.words import ActivityKind
from server.people import accounts
from server.web.console import confirm
from server.web.console.blueprint import bp
from server.words import WRITERS, Role


def board_url(board: Board) -> str:
    """Return the secret link a board's screen opens."""
    token = board_token(current_app.config["SECRET_KEY"], board.id, board.token_version)
    return f"{current_app.config['PUBLIC_URL']}/board/{board.id}?token={token}"


@bp.get("/shelters")
@login_required
def shelters() -> str:
    """List shelters and boards; admins see board links."""
    items = list(db.session.scalars(select(Shelter).order_by(Shelter.id)))
    links = (
        {b.id: board_url(b) for s in items for b in s.boards}
        if current_user.role == Role.ADMIN
        else {}
    )
    return render_template("console/shelters.html", shelters=items, links=links)


@bp.post("/shelters")
@login_required
def create_shelter() -> Response:
    """Register a shelter from the console."""
    if current_user.role not in WRITERS:
        abort(403)
    name = request.form.get("name_ja", "").strip()
    if not name or len(name) > 200:
        flash(_("A shelter needs a Japanese name (up to 200 characters)."), "error")
        return redirect(url_for("console.shelters"))
    # Without a romaji name, the suggestion stands in, marked until someone checks it.
    accounts.create_shelter(
        name,
        request.form.get("name_romaji", "").strip()[:200],
        request.form.get("address", "").strip()[:400],
    )
    flash(_("Shelter added."), "ok")
    return redirect(url_for("console.shelters"))


@bp.post("/shelters/<int:shelter_id>/boards")
@login_required
def create_board(shelter_id: int) -> Response:
    """Add a board to a shelter (admins only)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    shelter = db.session.get(Shelter, shelter_id) or abort(404)
    name = request.form.get("name", "").strip()[:200] or _("Board")
    layout = request.form.get("layout", "grid")
    board = Board(
        shelter=shelter,
        name=name,
        layout=layout if layout in ("grid", "cycle") else "grid",
        furigana=request.form.get("furigana") == "on",
    )
    db.session.add(board)
    db.session.flush()
    activity.record(
        ActivityKind.BOARD_ADDED,
        f"board {board.id} at shelter {shelter.id}",
        user=current_user._get_current_object(),
        ref=f"board:{board.id}",
    )
    db.session.commit()
    flash(_("Board added. Open its link on the screen in the shelter."), "ok")
    return redirect(url_for("console.shelters"))


@bp.route("/boards/<int:board_id>/new-link", methods=["GET", "POST"])
@login_required
def rotate_board_link(board_id: int) -> Response | str:
    """Give a board a new link after a confirmation; the old link stops working."""
    if current_user.role != Role.ADMIN:
        abort(403)
    board = db.session.get(Board, board_id) or abort(404)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return confirm.page(
            _("Replace the link of this board?"),
            _(
                "The screen showing %(board)s at %(shelter)s goes blank at once and stays so "
                "until someone opens the new link on it.",
                board=board.name,
                shelter=board.shelter.name_ja,
            ),
            _("Yes, make a new link"),
            url_for("console.shelters"),
        )
    board.token_version += 1
    activity.record(
        ActivityKind.BOARD_LINK_CHANGED,
        f"board {board.id}: new link, the old one stops working",
        user=current_user._get_current_object(),
        ref=f"board:{board.id}",
    )
    db.session.commit()
    sockets.revoke_board(board.id)
    flash(_("New link made. The old link no longer opens this board."), "ok")
    return redirect(url_for("console.shelters"))


@bp.post("/boards/<int:board_id>/settings")
@login_required
def board_settings(board_id: int) -> Response:
    """Change a board's layout and furigana switch (it applies when the screen reloads)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    board = db.session.get(Board, board_id) or abort(404)
    layout = request.form.get("layout", board.layout)
    board.layout = layout if layout in ("grid", "cycle") else board.layout
    board.furigana = request.form.get("furigana") == "on"
    db.session.commit()
    flash(_("Board settings saved. Reload the board's screen to apply them."), "ok")
    return redirect(url_for("console.shelters"))
