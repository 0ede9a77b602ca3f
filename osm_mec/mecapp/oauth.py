"""OAuth 2.0 client credentials for the sample application (MEC 009): an httpx Auth
that gets an access token from the MEP's token endpoint, sends it as a bearer token, and
gets a new one when it expires or the MEP answers 401 (credentials rotated)."""

from __future__ import annotations

import time
from collections.abc import Generator

import httpx


class TokenError(Exception):
    """The token endpoint refused the client credentials; the message says why."""


class ClientCredentials(httpx.Auth):
    requires_response_body = True

    def __init__(self, token_endpoint: str, client_id: str, client_secret: str) -> None:
        self.token_endpoint = token_endpoint
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._token: str | None = None
        self._expires = 0.0

    def _token_request(self) -> httpx.Request:
        request = httpx.Request("POST", self.token_endpoint,
                                data={"grant_type": "client_credentials"})
        return next(self._basic.auth_flow(request))

    def _remember(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            try:
                reason = response.json().get("error_description", response.text)
            except ValueError:
                reason = response.text
            raise TokenError(f"POST {self.token_endpoint}: HTTP {response.status_code}: "
                             f"{reason}")
        body = response.json()
        self._token = body["access_token"]
        # renew a little before the end of its life
        self._expires = time.monotonic() + max(0, int(body.get("expires_in", 60)) - 30)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response,
                                                               None]:
        if self._token is None or time.monotonic() >= self._expires:
            self._remember((yield self._token_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:  # rotated or expired early: one new token
            self._remember((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request
