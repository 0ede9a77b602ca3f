"""A small Mp1 client: the calls the sample application makes to its MEP."""

from __future__ import annotations

from typing import Any

import httpx

from .oauth import ClientCredentials, TokenError

SM = "/mec_service_mgmt/v1"
AS = "/mec_app_support/v1"


class Mp1Error(Exception):
    """An Mp1 call failed; the message names the call and the MEP's problem detail."""


class Mp1Client:
    """Mp1 calls with the application's bearer token, or with OAuth 2.0 client
    credentials (client id: the instance id) exchanged at `token_endpoint`."""

    def __init__(self, mep_url: str, app_id: str, token: str = "",
                 client: httpx.AsyncClient | None = None, client_secret: str = "",
                 token_endpoint: str | None = None) -> None:
        self.app_id = app_id
        base = mep_url.rstrip("/")
        auth: httpx.Auth | None = None
        headers = {"Accept": "application/json"}
        if client_secret:
            auth = ClientCredentials(token_endpoint or f"{base}/oauth2/token", app_id,
                                     client_secret)
        else:
            headers["Authorization"] = f"Bearer {token}"
        self.http = client or httpx.AsyncClient(base_url=base, timeout=10.0,
                                                headers=headers, auth=auth)

    async def _call(self, method: str, path: str, ok: tuple[int, ...], **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Mp1Error(f"{method} {path}: MEP unreachable: {exc}") from exc
        except TokenError as exc:
            raise Mp1Error(f"{method} {path}: no access token: {exc}") from exc
        if response.status_code not in ok:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise Mp1Error(f"{method} {path}: HTTP {response.status_code}: {detail}")
        return response.json() if response.content else None

    def _app(self, api: str, tail: str) -> str:
        return f"{api}/applications/{self.app_id}/{tail}"

    async def confirm_ready(self) -> None:
        await self._call("POST", self._app(AS, "confirm_ready"), (204,),
                         json={"indication": "READY"})

    async def confirm_termination(self) -> bool:
        """True when the MEP was waiting for it; False when no termination was pending."""
        try:
            await self._call("POST", self._app(AS, "confirm_termination"), (204,),
                             json={"operationAction": "TERMINATING"})
            return True
        except Mp1Error as exc:
            if "HTTP 409" in str(exc) or "HTTP 404" in str(exc):
                return False
            raise

    async def register_service(self, name: str, url: str) -> dict[str, Any]:
        body = {"serName": name, "version": "1.0", "state": "ACTIVE", "serializer": "JSON",
                "transportInfo": {"id": "rest", "name": "REST", "type": "REST_HTTP",
                                  "protocol": "HTTP", "version": "1.1",
                                  "endpoint": {"uris": [url]}, "security": {}}}
        return await self._call("POST", self._app(SM, "services"), (201,), json=body)

    async def delete_service(self, service_id: str) -> None:
        await self._call("DELETE", self._app(SM, f"services/{service_id}"), (204, 404))

    async def discover(self) -> list[dict[str, Any]]:
        return await self._call("GET", f"{SM}/services", (200,))

    async def subscribe_availability(self, callback: str) -> str:
        body = await self._call("POST", self._app(SM, "subscriptions"), (201,), json={
            "subscriptionType": "SerAvailabilityNotificationSubscription",
            "callbackReference": callback})
        return body["_links"]["self"]["href"]

    async def subscribe_termination(self, callback: str) -> str:
        body = await self._call("POST", self._app(AS, "subscriptions"), (201,), json={
            "subscriptionType": "AppTerminationNotificationSubscription",
            "callbackReference": callback, "appInstanceId": self.app_id})
        return body["_links"]["self"]["href"]

    async def delete(self, href: str) -> None:
        path = href[href.index("/mec_"):]
        await self._call("DELETE", path, (204, 404))

    async def close(self) -> None:
        await self.http.aclose()
