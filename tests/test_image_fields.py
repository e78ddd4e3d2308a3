"""imgql.Image's typed attributes are made from the field catalog: one per
documented field of a record, typed by the field's kind."""

from __future__ import annotations

import ast
import datetime as dt
import inspect

import pytest

from imgql.lang import fields as F
from imgql.run import image as image_module
from imgql.run.image import RECORD_FIELDS, Image

_RECORD = {
    "id": "i-1",
    "name": "ubuntu",
    "status": "active",
    "visibility": "public",
    "owner": "p",
    "size": 5,
    "virtual_size": 7,
    "min_ram": 512,
    "min_disk": 10,
    "created_at": "2025-10-02T08:30:39Z",
    "updated_at": "2025-10-03T08:30:39Z",
    "protected": True,
    "os_hidden": False,
    "tags": ["lts"],
    "checksum": "c",
    "disk_format": "qcow2",
    "container_format": "bare",
    "os_type": "linux",
    "os_distro": "ubuntu",
    "os_hash_algo": "sha512",
    "os_hash_value": "h",
    "file": "/v2/images/i-1/file",
    "direct_url": "swift://x",
}


def _declared() -> set[str]:
    """The attributes the class declares for type checkers."""
    tree = ast.parse(inspect.getsource(image_module))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Image"]
    names: set[str] = set()
    for node in cls.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            names.update(
                s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            )
    return names


def test_every_documented_field_is_an_attribute() -> None:
    wanted = {f.name for f in F.FIELDS if f.kind not in F.NOT_IN_RECORD} - {"id"}
    assert {f.name for f in RECORD_FIELDS} == wanted
    attributes = {f.attribute or f.name for f in RECORD_FIELDS}
    assert attributes == _declared()
    for name in attributes:
        assert isinstance(inspect.getattr_static(Image, name), property), name


@pytest.mark.parametrize("field", RECORD_FIELDS, ids=lambda f: f.name)
def test_attributes_are_typed_by_kind(field: F.Field) -> None:
    image = Image(_RECORD)
    value = getattr(image, field.attribute or field.name)
    empty = getattr(Image({}), field.attribute or field.name)
    if field.kind is F.Kind.DATETIME:
        assert isinstance(value, dt.datetime) and value.tzinfo is not None and empty is None
    elif field.kind is F.Kind.BOOLEAN:
        assert value is bool(_RECORD[field.name]) and empty is False
    elif field.kind is F.Kind.TAGS:
        assert value == ("lts",) and empty == ()
    else:
        assert value == _RECORD[field.name] and empty is None
    assert getattr(Image, field.attribute or field.name).__doc__ == field.doc


def test_the_short_names() -> None:
    image = Image({"os_hidden": True, "tags": ["a", "b"]})
    assert image.hidden is True and image.tags == ("a", "b")
    assert Image({}).id == "" and Image({"id": "x"}).id == "x"
