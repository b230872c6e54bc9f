# Representation requests and cases arrive with the advocacy issue; the app exists so that the
# shared schema, URLs and permission scopes have their place from the start.
