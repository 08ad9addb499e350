"""`{% registry_panel company %}`: what the public registry says, beside what was declared."""

from django import template

from accounts.registry import registry_summary

register = template.Library()


@register.inclusion_tag("accounts/_registry.html")
def registry_panel(company):
    return {"company": company, "registry": registry_summary(company)}
