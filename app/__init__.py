"""Portvakt: HMS-card gate control and the byggherreforskriften § 15 list."""
import logging
import os

from flask import Config, Flask

from app.config import SETTINGS, load_config
from app.extensions import csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config → extensions → adapters → blueprints → CLI → errors."""
    app = Flask(__name__, instance_path=_instance_path(), instance_relative_config=True)
    register_config(app, test_config)
    register_extensions(app)
    register_adapters(app)
    register_blueprints(app)
    register_cli(app)
    register_errors(app)
    return app


def _instance_path() -> str:
    return os.environ.get("PORTVAKT_INSTANCE", os.path.join(os.path.dirname(__file__), "..", "instance"))


def register_config(app: Flask, test_config: dict | None) -> None:
    """The settings (app/config.py) from the environment, instance/config.py and test_config, checked once;
    other keys those two give (Flask's own, e.g. SQLALCHEMY_ENGINE_OPTIONS) are taken as they are."""
    given = Config(app.instance_path)
    given.from_pyfile("config.py", silent=True)
    given.update(test_config or {})
    app.config.from_mapping(load_config(app.instance_path, given))
    app.config.from_mapping({key: value for key, value in given.items() if key not in SETTINGS})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers the models with the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    register_web_basics(app)


def register_web_basics(app: Flask) -> None:
    """Sign-in, languages, security headers and the template helpers every page uses."""
    from flask_babel import gettext

    from app import i18n, security, sessions
    from app.auth.access import can

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = i18n.N_("Please sign in to see this page.")
    login_manager.localize_callback = gettext  # translated when shown, not at import
    login_manager.login_message_category = "info"
    i18n.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    register_rate_limits(app)
    app.jinja_env.globals["can"] = can


def register_rate_limits(app: Flask) -> None:
    from app import ratelimit  # noqa: F401  (registers the portvakt+db:// storage with `limits`)
    from app.extensions import limiter

    limiter.init_app(app)


def register_adapters(app: Flask) -> None:
    """Outside systems are chosen by configuration (see app/adapters)."""
    from app.adapters.cardservice import card_service_from_config

    app.extensions["card_service"] = card_service_from_config(app.config)


def register_blueprints(app: Flask) -> None:
    from app import routing

    routing.init_app(app)  # before any route is added: every <int:> is a bounded database id
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.card_orders import bp as card_orders_bp
    from app.crews import bp as crews_bp
    from app.dashboard import bp as dashboard_bp
    from app.health import bp as health_bp
    from app.privacy import bp as privacy_bp
    from app.sites import bp as sites_bp

    app.register_blueprint(health_bp)
    register_operations(app)
    app.register_blueprint(privacy_bp)  # public: a site's privacy notice
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(sites_bp, url_prefix="/sites")
    app.register_blueprint(crews_bp, url_prefix="/sites")
    app.register_blueprint(card_orders_bp, url_prefix="/sites")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    register_list_workflows(app)
    register_connectors(app)
    register_site_safety(app)


def register_site_safety(app: Flask) -> None:
    """Visitors on the evacuation list and the site's safety induction (issue 21)."""
    from app.induction import bp as induction_bp
    from app.visitors import bp as visitors_bp

    app.register_blueprint(visitors_bp, url_prefix="/sites")
    app.register_blueprint(induction_bp)  # the worker's /induction/<token> is public


def register_connectors(app: Flask) -> None:
    """The Overføringer page: deliveries to HMSREG and ELRAPP (issue 18)."""
    from app.transfers import bp as transfers_bp

    app.register_blueprint(transfers_bp, url_prefix="/sites")


def register_operations(app: Flask) -> None:
    """GET /metrics for Prometheus (app/ops) and the e-mail notification settings (app/notifications)."""
    from app.notifications import bp as notifications_bp
    from app.ops.routes import bp as metrics_bp

    app.register_blueprint(metrics_bp)
    app.register_blueprint(notifications_bp)  # the signed-in user's e-mail settings


def register_list_workflows(app: Flask) -> None:
    """Daily control, corrections, follow-ups, share links and worker self-service."""
    from app.followups import bp as followups_bp
    from app.lists_ui import bp as lists_bp
    from app.selfservice import bp as selfservice_bp
    from app.share import bp as share_bp

    app.register_blueprint(lists_bp, url_prefix="/sites")
    app.register_blueprint(followups_bp, url_prefix="/sites")
    app.register_blueprint(share_bp)
    app.register_blueprint(selfservice_bp)


def register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)


def register_errors(app: Flask) -> None:
    from app.errors import register

    register(app)
