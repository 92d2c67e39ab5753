"""Every route of the web app, in one place."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from node.services.access.slips import ACTIVATION_PATH
from node.web import api, messages, views

#: Routes that take a student id; a test walks each with another family's id.
STUDENT_PAGES = ("week", "marks", "attendance", "homework")


def setup_routes(app: web.Application, static_dir: Path) -> None:
    app.router.add_get("/", views.index)
    app.router.add_get("/signin", views.signin_page)
    app.router.add_post("/signin", views.signin_post)
    app.router.add_get(ACTIVATION_PATH, views.activate_page)
    app.router.add_post(ACTIVATION_PATH, views.activate_post)
    app.router.add_post("/signout", views.signout)
    app.router.add_get("/lang/{language}", views.language)
    app.router.add_get("/password", views.password_page)
    app.router.add_post("/password", views.password_post)
    app.router.add_get("/children", views.children_page)
    app.router.add_get("/messages", messages.inbox_page)
    app.router.add_get("/messages/new", messages.new_page)
    app.router.add_post("/messages/new", messages.new_post)
    app.router.add_get("/messages/{thread_id}", messages.thread_page)
    app.router.add_post("/messages/{thread_id}/reply", messages.reply_post)
    for page in STUDENT_PAGES:
        app.router.add_get(f"/s/{{student_id}}/{page}", views.student_page(page))
        app.router.add_get(f"/api/v1/students/{{student_id}}/{page}", api.student_api(page))
    app.router.add_get("/api/v1/openapi.json", api.openapi)
    app.router.add_get("/api/v1/children", api.children)
    app.router.add_get("/api/v1/messages", api.messages)
    app.router.add_post("/api/v1/messages", api.send)
    app.router.add_get("/api/v1/messages/{thread_id}", api.thread)
    app.router.add_post("/api/v1/messages/{thread_id}/reply", api.reply)
    app.router.add_get("/api/v1/recipients", api.recipients)
    app.router.add_static("/static/", static_dir, name="static")
