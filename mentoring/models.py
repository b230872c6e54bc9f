# Mentoring programs and professional learning arrive with the mentoring issue; the app exists so that the
# shared schema, URLs and permission scopes have their place from the start.
