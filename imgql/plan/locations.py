"""The former name of :mod:`imgql.plan.places`, kept for the modules outside
the plan layer that still import it."""

from .places import EVERY_REGION, PLACE_FIELDS, Location, Place, Places, describe_places, split_places

LOCATION_FIELDS = PLACE_FIELDS

__all__ = ["EVERY_REGION", "LOCATION_FIELDS", "Location", "Place", "Places", "describe_places", "split_places"]
