from django import template

from hall.events import EVENT_LABELS
from hall.people import display_name

register = template.Library()


@register.filter(name="person")
def person(user) -> str:
    return display_name(user)


@register.filter(name="event_label")
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)
