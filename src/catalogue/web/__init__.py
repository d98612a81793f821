"""Server-rendered pages for teachers, administrators and publishers.

Thin handlers over the services: each page reads the signed-in person from the browser
session, calls a service and renders a template. Every page works without JavaScript.
"""
