"""The web layer's defences: the client's real address behind proxies, HTTPS-only cookies, and
the headers every response carries (a Content-Security-Policy with a nonce per response, HSTS,
no caching of anything but public static files)."""

from __future__ import annotations

import secrets

from flask import Flask
from flask import Response
from flask import current_app
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

#: Scripts run only from this site's files or an inline block carrying this response's nonce;
#: no page may be framed. Styles may be inline: the citizen's page inlines its CSS (one
#: request on a slow network) and plotly styles its charts from script; a style runs no code.
CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: Where a request keeps its nonce: the WSGI environ is one per request, whereas ``g`` lives as
#: long as the app context, which a test (or a command) may keep across requests.
NONCE_KEY = "survey.csp_nonce"
#: Headers every response carries unless its view set its own.
STATIC_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                  ("Referrer-Policy", "same-origin"))


def init_app(app: Flask) -> None:
    """Trust ``PROXY_HOPS`` proxies, make cookies HTTPS-only when ``HTTPS``, add the headers."""
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config["HTTPS"] is None:
        app.config["HTTPS"] = not (app.testing or app.debug)
    if app.config["HTTPS"]:
        # __Host-: the browser keeps the cookie only if it is Secure, for the whole site and for
        # this host alone, so neither a sibling host nor a plain-HTTP page can plant one.
        app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session",
                          SESSION_COOKIE_PATH="/", REMEMBER_COOKIE_SECURE=True)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_security_headers)


def csp_nonce() -> str:
    """This response's nonce: an inline script runs only with ``nonce="{{ csp_nonce() }}"``."""
    nonce = request.environ.get(NONCE_KEY)
    if nonce is None:
        nonce = request.environ[NONCE_KEY] = secrets.token_urlsafe(16)
    return nonce


def set_security_headers(response: Response) -> Response:
    # Every response passes here, the citizen's two included: one look at the headers a view
    # set, then appends, rather than a scan of the headers per name.
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    for name, value in STATIC_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
    if current_app.config["HTTPS"] and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security",
                    f"max-age={int(current_app.config['HSTS_SECONDS'])}")
    if not is_static_asset(response):
        # Pages show people's answers, accounts and results, and the citizen's form carries
        # its own ticket and submission id: no browser or proxy may keep a copy.
        headers["Cache-Control"] = "no-store"
    return response


#: ``Sec-Fetch-Site`` of a request this site's own page made, or one the user made directly.
OWN_FETCH = frozenset({"same-origin", "none"})


def is_cross_site() -> bool:
    """Whether another site's page made the browser send this request.

    Told by the browser itself (the way Go's ``http.CrossOriginProtection`` does it): the
    Fetch Metadata header every current browser sends, else the ``Origin`` against our own
    host. A request with neither (an old browser, a script) is not cross-site: nothing a
    browser could be tricked into.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in OWN_FETCH
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin.partition("://")[2] != request.host


def is_static_asset(response: Response) -> bool:
    """A file every visitor gets the same: a static folder's, or one its view marks public."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    # Parsing Cache-Control only where a view set one (most set none).
    return "Cache-Control" in response.headers and bool(response.cache_control.public)
