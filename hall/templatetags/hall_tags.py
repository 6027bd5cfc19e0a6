from django import template

from hall.cases.actions import action_label
from hall.common.people import display_name

register = template.Library()


@register.filter(name="person")
def person(user) -> str:
    return display_name(user)


@register.filter(name="event_label")
def event_label(action: str) -> str:
    return action_label(action)
