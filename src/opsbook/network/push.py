"""Safe push: backup → plan → (confirm) → apply with a revert timer → post-checks → confirm or roll back.

Two phases so that many devices can be reviewed at once and confirmed once:

1. :func:`prepare` — connect, back up the running configuration (to the store, redacted; the
   live copy stays in memory), compute the remediation and its rollback, refuse a plan that
   touches the management interface or ACL unless allowed.
2. :func:`apply` — reconnect, make sure the device has not changed since the plan, apply (IOS:
   inside ``configure terminal revert timer N``), then post-check on a *fresh* connection
   (reachable, compliance clean, the device's ``net_post_checks``). Pass: ``configure confirm``
   (IOS) and save. Fail, or the connection breaks mid-push: ``configure revert now`` (IOS) and/or
   the commands that bring the running configuration back to the backup, then verify the device
   is on its backup configuration again. Nothing is saved to startup unless the push succeeded.

:func:`push_device` runs both phases for one device (runbooks, tests). Results carry redacted
lines only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from opsbook.network.backup import BackupStore
from opsbook.network.compliance import DeviceCompliance, DeviceStatus, check_device, parse, tree_difference
from opsbook.network.connect import (
    CommandRejected,
    Connector,
    NetError,
    Session,
    SessionLost,
    connect_retry,
)
from opsbook.network.inventory import NetDevice
from opsbook.network.platforms import platform
from opsbook.network.push_model import (
    DEFAULT_REVERT_MINUTES,
    PostCheck,
    Prepared,
    PushOptions,
    PushResult,
    PushStatus,
)
from opsbook.network.redact import scrub
from opsbook.network.remediation import (
    Plan,
    management_refusal,
    management_touches,
    plan,
    restore_plan,
    to_running,
)
from opsbook.network.render import Intended

__all__ = [  # the push's model lives in push_model.py; callers import it from here as before
    "DEFAULT_REVERT_MINUTES",
    "PostCheck",
    "Prepared",
    "PushOptions",
    "PushResult",
    "PushStatus",
    "apply",
    "configs_equal",
    "prepare",
    "prepare_restore",
    "push_device",
    "roll_back",
]


# --------------------------------------------------------------------------------------------


def configs_equal(a: str, b: str, platform_name: str) -> bool:
    """Same configuration once canonical (volatile lines, defaults, spelling aside)?"""
    left, right = parse(a, platform_name), parse(b, platform_name)
    skip = re.compile(r"^(version |Building |Current configuration)")
    for tree in (left, right):
        for child in list(tree.children):
            if skip.match(child.text):
                child.delete()
    return not tree_difference(left, right) and not tree_difference(right, left)


def inventory_post_checks(device: NetDevice) -> list[PostCheck]:
    """``net_post_checks`` from the inventory: ``[{command: "show ip route", expect: "regex"}]``."""
    checks: list[PostCheck] = []
    for item in device.vars.get("net_post_checks", []) or []:
        if not isinstance(item, Mapping) or "command" not in item:
            raise NetError(
                f"{device.name}: net_post_checks entries need a 'command' (and an 'expect' regex)",
                hint="e.g. net_post_checks: [{command: 'show ip interface brief', expect: 'up'}]",
            )
        command, expect = str(item["command"]), str(item.get("expect", ""))

        def run(
            session: Session, _: DeviceCompliance | None, command: str = command, expect: str = expect
        ) -> str | None:
            output = session.exec(command)
            if expect and not re.search(expect, output, re.MULTILINE):
                return f"post-check {command!r}: output does not match {expect!r}"
            return None

        checks.append(run)
    return checks


def _management(device: NetDevice, lines: Sequence[str]) -> list[str]:
    return management_touches(
        lines,
        device.platform,
        mgmt_interface=device.vars.get("net_mgmt_interface"),
        mgmt_acl=str(device.vars["net_mgmt_acl"]) if device.vars.get("net_mgmt_acl") is not None else None,
    )


def _result_from_plan(device: NetDevice, p: Plan, status: PushStatus) -> PushResult:
    return PushResult(
        device=device.name,
        platform=p.platform,
        status=status,
        commands=p.redacted_commands(),
        rollback=p.redacted_rollback(),
        features=p.features,
        unrestorable=p.unrestorable,
    )


def _finish_prepare(
    device: NetDevice,
    p: Plan,
    before: str,
    commit: str | None,
    *,
    allow_mgmt: bool,
    intended: Intended | None,
) -> Prepared:
    result = _result_from_plan(device, p, PushStatus.PLANNED)
    result.backup_commit = commit or ""
    result.steps.append(f"backup stored ({commit[:10]})" if commit else "backup: nothing new to store")
    if p.empty:
        result.status = PushStatus.UNCHANGED
        result.steps.append("running configuration already matches: nothing to do")
        return Prepared(device, p, before, result, intended)
    touches = _management(device, p.commands)
    result.management = touches
    if touches and not allow_mgmt:
        result.status = PushStatus.REFUSED
        result.error = management_refusal(p, touches)
        result.steps.append("refused: management interface or ACL would change")
    return Prepared(device, p, before, result, intended)


def prepare(
    device: NetDevice,
    intended: Intended,
    *,
    store: BackupStore,
    connector: Connector,
    allow_mgmt: bool = False,
    backup: bool = True,
) -> Prepared:
    """Phase 1 for a push to the intended configuration (``backup=False``: plan only, nothing
    written — check mode)."""
    session = connector(device)
    try:
        before = session.running_config()
    finally:
        session.close()
    reason = f"pre-push backup of {device.name}"
    commit = store.save({device.name: (device.platform, before)}, reason=reason) if backup else None
    p = plan(device.name, device.platform, before, intended.features)
    return _finish_prepare(device, p, before, commit, allow_mgmt=allow_mgmt, intended=intended)


def prepare_restore(
    device: NetDevice,
    *,
    store: BackupStore,
    connector: Connector,
    ref: str = "@1",
    allow_mgmt: bool = False,
    backup: bool = True,
) -> Prepared:
    """Phase 1 for restoring a stored backup (``ref``: commit id or ``@N``, default the newest).

    Redacted secret lines of the backup are kept as they are on the device when it still has
    the same line; others cannot be restored and are listed (``unrestorable``)."""
    target = store.show(device.name, ref)
    commit_ref = store.resolve(device.name, ref)
    session = connector(device)
    try:
        before = session.running_config()
    finally:
        session.close()
    reason = f"pre-restore backup of {device.name}"
    commit = store.save({device.name: (device.platform, before)}, reason=reason) if backup else None
    p = restore_plan(device.name, device.platform, before, target)
    prepared = _finish_prepare(device, p, before, commit, allow_mgmt=allow_mgmt, intended=None)
    prepared.target = target
    prepared.result.steps.insert(0, f"restore target: backup {commit_ref[:10]}")
    return prepared


# --------------------------------------------------------------------------------------------


def _say(result: PushResult, device: NetDevice, text: str) -> None:
    result.steps.append(scrub(text, device.secrets()))


def _post_check(session: Session, device: NetDevice, prepared: Prepared, options: PushOptions) -> list[str]:
    """Problems found after the change (empty: all good)."""
    problems: list[str] = []
    after = session.running_config()
    compliance: DeviceCompliance | None = None
    if prepared.intended is not None:
        compliance = check_device(device.name, device.platform, after, prepared.intended.features)
        if compliance.status is not DeviceStatus.COMPLIANT:
            problems.append(f"still drifted after the change: {', '.join(compliance.drifted_features)}")
    else:
        remaining = restore_plan(device.name, device.platform, after, prepared.target)
        if not remaining.empty:
            problems.append(f"{len(remaining.commands)} line(s) still differ from the backup")
    for check in [*inventory_post_checks(device), *options.post_checks]:
        message = check(session, compliance)
        if message:
            problems.append(message)
    return problems


def roll_back(
    device: NetDevice,
    before: str,
    result: PushResult,
    *,
    connector: Connector,
    options: PushOptions,
    session: Session | None = None,
    timer_armed: bool = False,
) -> PushResult:
    """Bring the device back to ``before`` (the live backup) and verify it."""
    plat = platform(device.platform)
    try:
        if session is None:
            session = connect_retry(
                connector, device, attempts=options.reconnect_attempts, delay=options.reconnect_delay
            )
    except NetError as exc:
        result.status = PushStatus.FAILED
        if timer_armed:
            result.error = (
                f"device unreachable after the change ({exc.message}); its revert timer restores the "
                f"backup configuration within {options.revert_minutes} minute(s) by itself"
            )
        else:
            result.error = f"device unreachable after the change ({exc.message}); restore it from the backup"
        _say(result, device, "rollback: could not reconnect")
        return result
    try:
        if plat.has_revert_timer:
            try:
                session.exec("configure revert now")
                _say(result, device, "rollback: configure revert now (the device restored its archive)")
            except CommandRejected:
                _say(result, device, "rollback: no revert timer pending on the device")
        current = session.running_config()
        if not configs_equal(current, before, plat.name):
            back = to_running(device.name, plat.name, current, before)
            _say(result, device, f"rollback: {len(back.commands)} command(s) back to the backup")
            session.configure(back.send_lines())
            current = session.running_config()
        if configs_equal(current, before, plat.name):
            result.status = PushStatus.ROLLED_BACK
            _say(result, device, "rollback verified: the device is on its backup configuration")
        else:
            result.status = PushStatus.FAILED
            result.error = (result.error + "; " if result.error else "") + (
                "rollback incomplete: the device is NOT on its backup configuration — "
                f"run `opsbook net restore {device.name}`"
            )
    except NetError as exc:
        result.status = PushStatus.FAILED
        result.error = (result.error + "; " if result.error else "") + f"rollback failed: {exc.message}"
    finally:
        session.close()
    return result


def apply(
    prepared: Prepared,
    *,
    store: BackupStore,
    connector: Connector,
    options: PushOptions | None = None,
) -> PushResult:
    """Phase 2: apply a prepared plan safely (see module doc). Only PLANNED plans are applied."""
    options = options or PushOptions()
    result = prepared.result
    device = prepared.device
    plat = platform(device.platform)
    if result.status is not PushStatus.PLANNED:
        return result
    try:
        session = connect_retry(
            connector, device, attempts=options.reconnect_attempts, delay=options.reconnect_delay
        )
    except NetError as exc:
        result.status, result.error = PushStatus.FAILED, f"cannot connect to apply: {exc.message}"
        return result
    # the device must still be where the plan started from
    try:
        now = session.running_config()
    except NetError as exc:
        session.close()
        result.status, result.error = PushStatus.FAILED, f"cannot read the configuration: {exc.message}"
        return result
    if not configs_equal(now, prepared.before, plat.name):
        session.close()
        result.status = PushStatus.REFUSED
        result.error = "the running configuration changed since the plan was made; plan again"
        return result

    use_timer = plat.has_revert_timer and options.revert_minutes > 0

    def back(alive: Session | None = None) -> PushResult:
        """Roll back to the live backup (on ``alive`` when the session still works)."""
        return roll_back(
            device,
            prepared.before,
            result,
            connector=connector,
            options=options,
            session=alive,
            timer_armed=use_timer,
        )

    lines = prepared.plan.send_lines()
    try:
        if use_timer:
            _say(
                result,
                device,
                f"apply: {len(lines)} line(s) under configure terminal revert timer {options.revert_minutes}",
            )
            session.configure(lines, revert_minutes=options.revert_minutes)
        else:
            _say(result, device, f"apply: {len(lines)} line(s)")
            session.configure(lines)
    except (SessionLost, CommandRejected) as exc:
        result.error = exc.message
        _say(result, device, f"apply failed: {exc.message}")
        alive = session if isinstance(exc, CommandRejected) else None
        if alive is None:
            session.close()
        return back(alive)
    session.close()

    # post-checks on a fresh connection: the device must still let us in
    try:
        check_session = connect_retry(
            connector, device, attempts=options.reconnect_attempts, delay=options.reconnect_delay
        )
    except NetError as exc:
        result.error = f"post-check: device unreachable after the change ({exc.message})"
        _say(result, device, result.error)
        return back()
    try:
        problems = _post_check(check_session, device, prepared, options)
    except NetError as exc:
        problems = [f"post-check could not run: {exc.message}"]
    if problems:
        result.error = "; ".join(problems)
        _say(result, device, f"post-check failed: {result.error}")
        return back(check_session)
    # say what was checked: a push of some features (--features) checks those features only
    checked = (
        f"compliant in {', '.join(prepared.intended.features) or 'no feature'}"
        if prepared.intended is not None
        else "nothing left to restore"
    )
    _say(result, device, f"post-check passed: reachable, {checked}")
    try:
        if use_timer:
            check_session.exec("configure confirm")
            _say(result, device, "configure confirm: the revert timer is cancelled")
        if options.save:
            check_session.save()
            _say(result, device, "saved to the startup configuration")
        after = check_session.running_config()
    except NetError as exc:
        result.error = f"confirm/save failed: {exc.message}"
        return back(check_session)
    check_session.close()
    commit = store.save({device.name: (device.platform, after)}, reason=f"post-push backup of {device.name}")
    if commit:
        _say(result, device, f"new configuration backed up ({commit[:10]})")
    result.status = PushStatus.APPLIED
    return result


def push_device(
    device: NetDevice,
    intended: Intended,
    *,
    store: BackupStore,
    connector: Connector,
    confirm: Callable[[PushResult], bool],
    check: bool = False,
    options: PushOptions | None = None,
) -> PushResult:
    """Both phases for one device: ``confirm`` sees the planned result and says yes or no."""
    options = options or PushOptions()
    prepared = prepare(device, intended, store=store, connector=connector, allow_mgmt=options.allow_mgmt)
    if not prepared.actionable or check:
        return prepared.result
    if not confirm(prepared.result):
        prepared.result.status = PushStatus.DECLINED
        prepared.result.steps.append("declined: nothing applied")
        return prepared.result
    return apply(prepared, store=store, connector=connector, options=options)
