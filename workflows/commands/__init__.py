"""Every action a person can cause, as one command: its input model (where bad input stops, for
every way in), the permission it needs, and the function that does it (DESIGN §4).

    command = REGISTRY["deformed"].model_validate({"items": ["KZ-1"], "method": "пресс"})
    process.run("sklad.omarov", command)          # one transaction: rules, entries, state

The HTTP routes, the CLI, spreadsheet import, `custody demo` and the web pages build commands
from what they are given and hand them to `Process.run`; none of them decides anything itself.
A command's `kind` is the ledger entry kind it writes, which is also the permission it needs
and its HTTP path (`POST /steps/{kind}`).
"""

from __future__ import annotations

from workflows.commands import (
    accounts,
    batches,
    changes,
    diversion,
    intake,
    inventory,
    keys,
    movements,
    preparation,
    registers,
    supervision,
)
from workflows.commands.accounts import (
    AssignPlace,
    CreateAccount,
    DisableAccount,
    EnableAccount,
    GrantRole,
    IssueDeviceToken,
    RevokeDeviceToken,
    WithdrawPlace,
    WithdrawRole,
)
from workflows.commands.base import REGISTRY, Command, parse
from workflows.commands.batches import (
    Burn,
    LoadBatch,
    Melt,
    OpenBatch,
    RecordPresence,
    SignStatement,
    UnloadItems,
)
from workflows.commands.changes import ConfirmChange, DeclineChange, ProposeChange
from workflows.commands.diversion import (
    ConfirmCompensation,
    OpenCampaign,
    PayCompensation,
    ReportDiversion,
    ResolveDiversion,
)
from workflows.commands.intake import (
    AppealDecision,
    FinaliseDecision,
    RecordDecision,
    RegisterItems,
    ReturnToOwner,
    ReverseDecision,
    SuspendDecision,
)
from workflows.commands.inventory import CountInventory, RecordDiscrepancy, ResolveDiscrepancy
from workflows.commands.keys import AddKey, RevokeKey, RotateKey
from workflows.commands.movements import (
    CloseTransfer,
    ReceiveAtForensics,
    ReceiveTransfer,
    RecordRegistryResults,
    ReleaseEvidence,
    ReturnFromForensics,
    SendToForensics,
    SendTransfer,
    TestFire,
)
from workflows.commands.preparation import (
    Cut,
    Deform,
    Depackage,
    IncinerateParts,
    RemoveFuses,
    RemoveParts,
)
from workflows.commands.registers import AddCommissionMember, AddLocation, RemoveCommissionMember
from workflows.commands.supervision import AssignSupervisor, WithdrawSupervisor

__all__ = [
    "REGISTRY",
    "AddCommissionMember",
    "AddKey",
    "AddLocation",
    "AppealDecision",
    "AssignPlace",
    "AssignSupervisor",
    "Burn",
    "CloseTransfer",
    "Command",
    "ConfirmChange",
    "ConfirmCompensation",
    "CountInventory",
    "CreateAccount",
    "Cut",
    "DeclineChange",
    "Deform",
    "Depackage",
    "DisableAccount",
    "EnableAccount",
    "FinaliseDecision",
    "GrantRole",
    "IncinerateParts",
    "IssueDeviceToken",
    "LoadBatch",
    "Melt",
    "OpenBatch",
    "OpenCampaign",
    "PayCompensation",
    "ProposeChange",
    "ReceiveAtForensics",
    "ReceiveTransfer",
    "RecordDecision",
    "RecordDiscrepancy",
    "RecordPresence",
    "RecordRegistryResults",
    "RegisterItems",
    "ReleaseEvidence",
    "RemoveCommissionMember",
    "RemoveFuses",
    "RemoveParts",
    "ReportDiversion",
    "ResolveDiscrepancy",
    "ResolveDiversion",
    "ReturnFromForensics",
    "ReturnToOwner",
    "ReverseDecision",
    "RevokeDeviceToken",
    "RevokeKey",
    "RotateKey",
    "SendToForensics",
    "SendTransfer",
    "SignStatement",
    "SuspendDecision",
    "TestFire",
    "UnloadItems",
    "WithdrawPlace",
    "WithdrawRole",
    "WithdrawSupervisor",
    "parse",
]

# The modules above register their commands on import; in the order the process goes, which
# is the order every list of commands (the API's routes, its documentation) shows them in.
MODULES = (
    intake,
    movements,
    preparation,
    batches,
    inventory,
    registers,
    supervision,
    keys,
    accounts,
    changes,
    diversion,
)
_ORDER = {module.__name__: n for n, module in enumerate(MODULES)}
for _kind, _cls in sorted(REGISTRY.items(), key=lambda kv: _ORDER[kv[1].__module__]):
    REGISTRY[_kind] = REGISTRY.pop(_kind)
