"""Configuration files for a throwaway Glance: SQLite, file store, header-trusting or Keystone auth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

# The "trusted" flavor is Glance's keystone pipeline minus authtoken: the
# context middleware then believes the X-* identity headers as sent, which
# gives real projects, roles, 401s and policy 403s without a Keystone.
PASTE_INI = """\
[composite:glance-api-trusted]
paste.composite_factory = glance.api:root_app_factory
/: api

[composite:glance-api-keystone]
paste.composite_factory = glance.api:root_app_factory
/: api

[composite:api]
paste.composite_factory = glance.api:pipeline_factory
trusted = cors http_proxy_to_wsgi versionnegotiation context rootapp
keystone = cors http_proxy_to_wsgi versionnegotiation authtoken context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = glance
oslo_config_program = glance-api

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory
"""

API_CONF = Template("""\
[DEFAULT]
debug = false
use_stderr = true
enabled_backends = fs:file
api_limit_max = $api_limit_max
image_cache_dir = $root/cache

[database]
# A busy timeout, so concurrent writers wait instead of failing with "database is locked".
connection = sqlite:///$root/glance.sqlite?timeout=30

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = $root/images

[os_glance_staging_store]
filesystem_store_datadir = $root/staging

[os_glance_tasks_store]
filesystem_store_datadir = $root/tasks

[paste_deploy]
flavor = $flavor
config_file = $root/glance-api-paste.ini

[oslo_concurrency]
lock_path = $root/locks
""")

# Glance validates every token with Keystone, as a deployed Glance does. No
# validation cache: a revoked token must be refused at once.
AUTHTOKEN_SECTION = Template("""
[keystone_authtoken]
www_authenticate_uri = $auth_url
auth_url = $auth_url
auth_type = password
project_name = $project_name
project_domain_name = Default
username = $username
user_domain_name = Default
password = $password
token_cache_time = -1
""")


@dataclass(frozen=True)
class AuthtokenSettings:
    """How Glance's keystonemiddleware reaches Keystone; the service user must exist there."""

    auth_url: str  # Keystone's root, e.g. http://127.0.0.1:5000
    password: str
    username: str = "glance"
    project_name: str = "service"

    def section(self) -> str:
        return AUTHTOKEN_SECTION.substitute(
            auth_url=self.auth_url, project_name=self.project_name, username=self.username, password=self.password
        )


@dataclass(frozen=True)
class GlanceConfig:
    directory: Path
    api_conf: Path
    paste_ini: Path


def write_config(
    directory: Path, *, api_limit_max: int = 1000, keystone: AuthtokenSettings | None = None
) -> GlanceConfig:
    """Without ``keystone`` Glance trusts the X-* identity headers; with it, it validates tokens."""
    directory = directory.resolve()
    for sub in ("images", "staging", "tasks", "cache", "locks"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    api_conf = directory / "glance-api.conf"
    paste_ini = directory / "glance-api-paste.ini"
    flavor = "trusted" if keystone is None else "keystone"
    text = API_CONF.substitute(root=directory, api_limit_max=int(api_limit_max), flavor=flavor)
    api_conf.write_text(text if keystone is None else text + keystone.section())
    paste_ini.write_text(PASTE_INI)
    return GlanceConfig(directory=directory, api_conf=api_conf, paste_ini=paste_ini)
