from django import template

from hall.people import display_name

register = template.Library()


@register.filter(name="person")
def person(user) -> str:
    return display_name(user)
