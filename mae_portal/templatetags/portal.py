from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_panel(context, panel):
    """Render a registered dashboard panel inside the page's context (user, perms, csrf token), with the
    panel's own context on top, as {% include %} would; a kept panel (registry.register_panel) is its markup."""
    if "markup" in panel:
        return panel["markup"]
    with context.push(**panel["context"]):
        return context.template.engine.get_template(panel["template"]).render(context)
