"""The lookup plugin imgql.openstack.image: OpenStack image ids from one imgql query."""

from __future__ import annotations

DOCUMENTATION = r"""
name: image
author: imgql
short_description: Pick OpenStack images with an imgql query
description:
  - Runs each term as an imgql query against the Images API (Glance) of a cloud, or an offline catalog file,
    and returns the ids (or another field) of the images it finds.
  - By default the query must find exactly one image; none or several fail the task with imgql's message
    (the count, the first names and a hint).
  - Credentials come from C(cloud) (an entry of clouds.yaml), or from the OS_* variables and OS_CLOUD of the
    environment ansible-playbook runs in, as for the openstack CLI.
options:
  _terms:
    description: One or more imgql queries, such as C(images where os_distro = ubuntu order by created_at desc limit 1).
    required: true
    type: list
    elements: str
  cloud:
    description: The cloud of clouds.yaml to log in to (default OS_CLOUD, or the OS_* variables).
    type: str
  region:
    description: The region whose image endpoint is used, for a query that names no region.
    type: str
  interface:
    description: The endpoint interface (public, internal or admin).
    type: str
  one:
    description:
      - V(true) requires exactly one image per query and returns its value.
      - V(false) returns the value of every image the query finds, in the query's order.
    type: bool
    default: true
  per:
    description:
      - V(region) returns one mapping of region name to that region's single image's value, over the regions
        the query names (every region of the catalog when it names none).
    type: str
    choices: [region]
  lock:
    description: An C(imgql lock) file; the answer is the image it pinned for the same query (canonical text), checked to be still deployable.
    type: path
  params:
    description: Values of the query's C($name) parameters, read with each field's type; never spliced into the text.
    type: dict
    default: {}
  field:
    description:
      - What to return of each image instead of its id, by the names of C(imgql external) (C(name), C(created_at),
        C(size), C(checksum), C(property.os_version), ...). A custom property may be named without C(property.).
      - A value the image does not have is the empty string.
    type: str
    default: id
  catalog:
    description: An offline JSON catalog (a C(GET /v2/images) answer) to query instead of a cloud.
    type: path
"""

EXAMPLES = r"""
- name: The newest Ubuntu LTS image of the prod cloud
  ansible.builtin.set_fact:
    image_id: "{{ lookup('imgql.openstack.image',
                  'images where os_distro = ubuntu and tag = lts order by created_at desc limit 1',
                  cloud='prod', region='RegionOne') }}"

- name: That image's id in every region
  ansible.builtin.set_fact:
    image_ids: "{{ lookup('imgql.openstack.image', 'images where name = $name', params={'name': 'Ubuntu 24.04'},
                   cloud='prod', per='region') }}"

- name: Every golden image's name
  ansible.builtin.debug:
    msg: "{{ query('imgql.openstack.image', 'images where tag = golden order by name', one=false, field='name') }}"
"""

RETURN = r"""
_raw:
  description:
    - With O(one=true) (the default), one value per query (the image id unless O(field) says otherwise).
    - With O(one=false), every matching image's value.
    - With O(per=region), one mapping of region name to value per query.
  type: list
"""

import contextlib  # noqa: E402 - after the documentation strings, as Ansible's own plugins do
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from ansible.errors import AnsibleError  # noqa: E402
from ansible.plugins.lookup import LookupBase  # noqa: E402

try:
    from ansible.errors import AnsibleLookupError
except ImportError:  # older ansible-core
    AnsibleLookupError = AnsibleError  # type: ignore[misc,assignment]


class LookupModule(LookupBase):  # type: ignore[misc]
    def run(self, terms: list[Any], variables: dict[str, Any] | None = None, **kwargs: Any) -> list[Any]:
        self.set_options(var_options=variables, direct=kwargs)
        try:
            import imgql
            from imgql.run.flat import PROPERTY_KEY, flat
        except ImportError as exc:
            raise AnsibleLookupError(
                f"imgql.openstack.image needs the imgql package in the Python that runs ansible ({exc}): "
                "pip install 'imgql[ansible]'"
            ) from None
        lock = self.get_option("lock")
        field = str(self.get_option("field") or "id")
        params = {str(name): _plain(value) for name, value in (self.get_option("params") or {}).items()}
        one = bool(self.get_option("one"))
        per = self.get_option("per")

        def value(image: Any) -> str:
            return pick(flat(image))

        def pick(found: dict[str, str]) -> str:
            if field in found:
                return found[field]
            return found.get(PROPERTY_KEY + field.removeprefix(PROPERTY_KEY), "")

        results: list[Any] = []
        try:
            with _source(imgql, self.get_option) as source:
                for term in terms:
                    query = str(term)
                    if lock:
                        from imgql.cli.external import ExternalRequest, locked_answer

                        request = ExternalRequest(query, params, None if per is None else str(per))
                        results.append(pick(locked_answer(request, source, str(lock))))
                    elif per is not None:
                        if not hasattr(source, "http"):
                            raise imgql.ConfigError("per='region' needs a cloud, not a catalog file")
                        images = source.one(query, per=str(per), **params)
                        results.append({region: value(image) for region, image in images.items()})
                    elif one:
                        results.append(value(source.one(query, **params)))
                    else:
                        results.extend(value(image) for image in source.query(query, **params))
        except imgql.Error as exc:
            raise AnsibleLookupError(f"imgql: {exc}") from None
        return results


def _plain(value: Any) -> Any:
    """Ansible's strings are str subclasses that carry its bookkeeping; imgql gets plain values."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@contextlib.contextmanager
def _source(imgql: Any, option: Any) -> Iterator[Any]:
    """A Catalog for ``catalog``, else a Client, closed at the end."""
    catalog = option("catalog")
    if catalog:
        yield imgql.Catalog(catalog)
        return
    client = imgql.Client(**{name: option(name) for name in ("cloud", "region", "interface") if option(name)})
    try:
        yield client
    finally:
        client.close()
