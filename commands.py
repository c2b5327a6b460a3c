"""Operator commands: ``flask --app wsgi shop|staff|demo|worker|serve``."""

import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.serving import run_simple

from core.extensions import db
from core.jobs import start_consumer
from models import Role, Shop
from services import ServiceError
from services.demo import DEMO_SLUG, demo_logins, seed_demo
from services.shops import add_staff, create_shop, send_welcome

shop_cli = AppGroup("shop", help="Create and list shops.")
staff_cli = AppGroup("staff", help="Manage shop staff.")


def fail(message):
    click.echo(str(message), err=True)
    sys.exit(1)


@shop_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The shop's name.")
@click.option("--owner-email", required=True)
@click.option("--owner-password", required=True)
@click.option("--locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def shop_create(slug, name, owner_email, owner_password, locale):
    """Create a shop and its owner."""
    try:
        shop, owner = create_shop(
            slug=slug,
            name=name,
            owner_email=owner_email,
            owner_password=owner_password,
            locale=locale,
        )
        send_welcome(shop, owner)
    except ServiceError as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo(f"Created shop {shop.slug} ({shop.name}), owner {owner.email}")


@shop_cli.command("list")
def shop_list():
    """List the shops with their owners."""
    shops = db.session.scalars(db.select(Shop).order_by(Shop.slug)).all()
    if not shops:
        click.echo("No shops yet.")
    for shop in shops:
        owners = ", ".join(m.staff.email for m in shop.memberships if m.role == Role.OWNER)
        click.echo(f"{shop.slug}\t{shop.name}\t{owners}")


@staff_cli.command("add")
@click.argument("slug")
@click.argument("email")
@click.option(
    "--role", type=click.Choice(["owner", "manager", "staff"]), default="staff", show_default=True
)
@click.option("--password", default=None, help="Needed when the person has no account yet.")
@click.option("--name", default="")
def staff_add(slug, email, role, password, name):
    """Give a person a role in a shop."""
    shop = db.session.scalar(db.select(Shop).where(Shop.slug == slug))
    if shop is None:
        fail(f"No shop with the address {slug!r}.")
    try:
        staff = add_staff(shop=shop, email=email, role=role, password=password, name=name)
    except ServiceError as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo(f"{staff.email} is now {role} of {shop.slug}")


@click.command("demo")
@with_appcontext
@click.option("--slug", default=DEMO_SLUG, show_default=True, help="The shop's address.")
@click.option("--lean", is_flag=True, help="Only the staff, six customers and the catalog.")
def demo_command(slug, lean):
    """Create the demo shop (running it again changes nothing)."""
    try:
        created = seed_demo(slug, lean=lean)
    except ServiceError as error:
        db.session.rollback()
        fail(error.message)
    db.session.commit()
    click.echo("Demo shop created." if created else "Demo shop already there.")


@click.command("worker")
@with_appcontext
@click.option("--workers", "-w", default=None, type=int, help="Worker threads.")
def worker_command(workers):
    """Work the job queue (production, with REDIS_URL)."""
    huey = current_app.extensions["huey"]
    consumer = huey.create_consumer(
        workers=workers or current_app.config["JOBS_WORKERS"], worker_type="thread", periodic=True
    )
    click.echo(f"Worker started on the {current_app.config['JOBS_BACKEND']} queue.")
    consumer.run()


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Default: $PORT or 5000.")
def serve_command(host, port):
    """Serve the app with the job consumer in the same process (development)."""
    port = port or int(os.environ.get("PORT", "5000"))
    app = current_app._get_current_object()
    base = f"http://{host}:{port}"
    if not app.config["PUBLIC_URL"]:
        app.config["PUBLIC_URL"] = base
    if app.config["JOBS_BACKEND"] != "redis":
        start_consumer(app)
    click.echo("")
    click.echo(f"  Cửa Hàng is running at {base}/")
    logins = demo_logins()
    if logins:
        shop_url = f"{base}/{logins['shop']}"
        click.echo("")
        click.echo(f"  Demo storefront: {shop_url}/")
        click.echo(f"    shoppers log in at {shop_url}/account/login:")
        for label, email, password in logins["customers"]:
            click.echo(f"      {label:<10} {email} / {password}")
        click.echo("")
        click.echo(f"  Demo admin:      {shop_url}/admin/")
        for role, email, password in logins["staff"]:
            click.echo(f"      {role:<10} {email} / {password}")
        click.echo("")
        log = f"{shop_url}/admin/emails/log"
        click.echo(f"  Emails the demo sends: {log} (files in instance/mail/)")
    click.echo("")
    click.echo("  Press Ctrl+C to stop.\n")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def register_commands(app):
    app.cli.add_command(shop_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(serve_command)
