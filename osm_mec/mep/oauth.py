"""OAuth 2.0 client credentials grant (RFC 6749 section 4.4), as MEC 009 describes for
Mp1: an application exchanges the client id (its instance id) and the client secret it got
at registration for a short-lived bearer access token. The endpoint is advertised in the
transports' security info (`oAuth2Info.tokenEndpoint`).

Answers follow RFC 6749 (JSON `error` bodies, not problem+json), as OAuth clients expect.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from .context import ctx

PATH = "/oauth2/token"
router = APIRouter()
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def token_endpoint(request: Request) -> str:
    """The token endpoint's absolute URL as applications reach it."""
    return f"{ctx(request).settings.public_url.rstrip('/')}{PATH}"


def security_info(request: Request) -> dict:
    """SecurityInfo of the MEP's own transport (MEC 011 TransportInfo.security)."""
    return {"oAuth2Info": {"grantTypes": ["OAUTH2_CLIENT_CREDENTIALS"],
                           "tokenEndpoint": token_endpoint(request)}}


def _error(status: int, error: str, description: str) -> JSONResponse:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="mep"'
    return JSONResponse({"error": error, "error_description": description},
                        status_code=status, headers=headers)


def _client(request: Request, form: dict[str, list[str]]) -> tuple[str, str] | None:
    """(client id, secret) from HTTP Basic (preferred by RFC 6749) or the form."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, sep, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return (unquote(user), unquote(secret)) if sep else None
    client_id, secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
    return (client_id, secret) if client_id and secret else None


@router.post(PATH, include_in_schema=False)
async def issue_token(request: Request) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != \
            "application/x-www-form-urlencoded":
        return _error(400, "invalid_request",
                      "send application/x-www-form-urlencoded (RFC 6749 section 4.4.2)")
    try:
        form = parse_qs((await request.body()).decode(), strict_parsing=False)
    except UnicodeDecodeError:
        return _error(400, "invalid_request", "the form is not UTF-8")
    if form.get("grant_type") != ["client_credentials"]:
        return _error(400, "unsupported_grant_type",
                      "only grant_type=client_credentials is supported")
    client = _client(request, form)
    if client is None:
        return _error(401, "invalid_client",
                      "client authentication is required (HTTP Basic or client_id and "
                      "client_secret)")
    mep = ctx(request)
    ttl = mep.settings.oauth_token_ttl
    token = await mep.store.issue_access_token(client[0], client[1], ttl)
    if token is None:
        return _error(401, "invalid_client", "unknown client or wrong secret")
    return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": ttl},
                        headers=NO_STORE)
