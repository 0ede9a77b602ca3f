"""MEC 010-2 (v2.1.1) request bodies the facade reads, validated with pydantic. The
types are open (unknown attributes are kept) as the specification allows; the spelling
of the official documents is kept, typos included (``subsctiptionType``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.mec_types import HttpUri as CallbackUri
from ..core.mec_types import LongText, Text


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Checksum(_Open):
    algorithm: Text
    hash: Annotated[str, Field(max_length=256, pattern=r"^[0-9A-Fa-f]+$")]


class CreateAppPkg(_Open):
    appPkgName: Text
    appPkgVersion: Text
    appProvider: Text | None = None
    checksum: Checksum
    appPkgPath: Annotated[str, Field(max_length=2048)]
    userDefinedData: dict[str, Any] | None = None


class AppPkgInfoModifications(_Open):
    operationState: Literal["DISABLED", "ENABLED"]


class AppPkgSubscription(_Open):
    callbackUri: CallbackUri
    subsctiptionType: Literal["AppPackageOnBoarding", "AppPacakgeOperationChange",
                              "AppPackageDeletion"]
    appPkgFilter: list[Text] | None = Field(default=None, max_length=64)


class CreateAppInstanceRequest(_Open):
    appDId: Text
    appInstanceName: Text | None = None
    appInstanceDescription: LongText | None = None


class MECHostInformation(_Open):
    hostId: dict[str, Any]
    hostName: Text | None = None


class InstantiateAppRequest(_Open):
    selectedMECHostInfo: list[MECHostInformation] = Field(min_length=1, max_length=16)


class TerminateAppRequest(_Open):
    terminationType: Literal["FORCEFUL", "GRACEFUL"]
    gracefulTerminationTimeout: Annotated[int, Field(ge=0, le=86400)] | None = None


class OperateAppRequest(_Open):
    changeStateTo: Literal["STARTED", "STOPPED"]
    stopType: Literal["FORCEFUL", "GRACEFUL"] | None = None
    gracefulStopTimeout: Annotated[int, Field(ge=0, le=86400)] | None = None


class AppsFromProviders(_Open):
    appProvider: Text
    appProducts: dict[str, Any] | None = None


class AppInstanceSubscriptionFilter(_Open):
    appInstSelectorType: Literal["VOID", "APP_IDENTITY", "APP_NAME", "APP_D_ID",
                                 "APP_FROM_PROVIDER"]
    appInstances: list[Text] | None = Field(default=None, max_length=256)
    appsFromProviders: list[AppsFromProviders] | None = Field(default=None, max_length=64)


class LcmSubscriptionRequest(_Open):
    """AppInstSubscriptionRequest or AppLcmOpOccSubscriptionRequest (by subscriptionType)."""

    subscriptionType: Literal["AppInstanceStateChange", "AppLcmOpOccStateChange"]
    callbackUri: CallbackUri
    appInstanceState: Literal["NOT_INSTANTIATED", "STARTED", "STOPPED"] | None = None
    appInstanceSubscriptionFilter: AppInstanceSubscriptionFilter | None = None
    appLcmOpOccSubscriptionFilter: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _filters_of_its_type(self) -> LcmSubscriptionRequest:
        if self.subscriptionType == "AppLcmOpOccStateChange" and (
                self.appInstanceState is not None or self.appInstanceSubscriptionFilter):
            raise ValueError("appInstanceState and appInstanceSubscriptionFilter belong to "
                             "AppInstanceStateChange subscriptions")
        if self.subscriptionType == "AppInstanceStateChange" and \
                self.appLcmOpOccSubscriptionFilter is not None:
            raise ValueError("appLcmOpOccSubscriptionFilter belongs to AppLcmOpOccStateChange "
                             "subscriptions")
        return self
