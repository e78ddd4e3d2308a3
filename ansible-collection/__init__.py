"""The Ansible collection ``imgql.openstack``, shipped inside imgql's wheel.

Nothing here is imported: ``imgql ansible-path`` prints this package's
folder, which holds ``ansible_collections/imgql/openstack/``.
"""

__all__: list[str] = []
