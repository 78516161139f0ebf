#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""host_health: the periodic-inspection bundle, every check in one module call."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_health
short_description: Inspect a Linux host in one call (disk, inodes, memory, load, units, time, updates, ports)
description:
  - Runs a bundle of read-only health checks on a Linux host and classifies each one as
    C(OK), C(WARN), C(CRIT) or C(UNKNOWN) against thresholds.
  - "Checks: filesystem usage and inode usage per data mount, memory and swap use, load per
    core, failed systemd units, time synchronisation, reboot required, pending security updates
    (apt) and listening TCP/UDP ports."
  - One call returns every check, so an inspection costs one round trip per host instead of one
    per check.
  - The module never changes the host and always returns C(changed=false). A check that cannot
    run on the host is C(UNKNOWN), never C(OK); a failing check does not stop the others.
  - "Data mounts: every mounted filesystem except pseudo filesystems (proc, sysfs, cgroup, devpts,
    ...), read-only image filesystems (squashfs, iso9660, erofs, ...), memory filesystems (tmpfs,
    ramfs) mounted under /dev, /run, /sys or /proc, overlay mounts other than C(/) (container
    runtime layers), mounts a container runtime makes for its containers (under
    /var/lib/docker, /var/lib/containers, /var/lib/kubelet/pods ...), bind mounts of single
    files and read-only tmpfs. So a tmpfs at /srv/data, /var/log or /tmp is a data mount, /run
    and /dev/shm are not. Network filesystems (nfs, cifs,
    ceph, glusterfs, fuse.sshfs ...) are skipped unless O(include_network_mounts=true), because
    C(statvfs) on a hung server blocks. Several mounts of one filesystem (bind mounts) are
    reported once."
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  checks:
    description:
      - The checks to run. Default is all of them.
      - V(filesystems) and V(inodes) give one result per data mount; the others one result each.
    type: list
    elements: str
    choices: [filesystems, inodes, memory, swap, load, systemd, time_sync, reboot, security_updates, ports]
    default: [filesystems, inodes, memory, swap, load, systemd, time_sync, reboot, security_updates, ports]
  thresholds:
    description:
      - Warning and critical thresholds. Give only the keys you change; the others keep their
        defaults. A value reaching (>=) C(*_warn*) is C(WARN), reaching C(*_crit*) is C(CRIT).
      - Each value is a number (percent, count, ...), or V(null) to switch that level off. A
        value that is not a number, a negative value, an unknown key or a warning threshold above
        its critical threshold is an error.
    type: dict
    default: {}
    suboptions:
      fs_warn_pct:
        description: Filesystem space used, percent of the space non-root users can use (as C(df)).
        type: raw
        default: 80
      fs_crit_pct:
        description: Filesystem space used, percent, critical.
        type: raw
        default: 90
      inode_warn_pct:
        description: Inodes used, percent. Filesystems without a fixed inode table (btrfs) are C(OK).
        type: raw
        default: 80
      inode_crit_pct:
        description: Inodes used, percent, critical.
        type: raw
        default: 90
      mem_warn_pct:
        description: Memory used, percent of C(MemTotal), counting C(MemAvailable) as free.
        type: raw
        default: 90
      mem_crit_pct:
        description: Memory used, percent, critical.
        type: raw
        default: 95
      swap_warn_pct:
        description: Swap used, percent of C(SwapTotal). A host without swap is C(OK).
        type: raw
        default: 50
      swap_crit_pct:
        description: Swap used, percent, critical.
        type: raw
        default: 80
      load_per_core_warn:
        description: Load average (window O(load_window)) divided by the CPUs this process may run on.
        type: raw
        default: 1.0
      load_per_core_crit:
        description: Load per core, critical.
        type: raw
        default: 2.0
      failed_units_warn:
        description: Number of failed systemd units (after O(ignore_units)).
        type: raw
        default: 1
      failed_units_crit:
        description: Number of failed systemd units, critical. The default makes any failed unit critical.
        type: raw
        default: 1
      time_offset_warn_ms:
        description: Absolute clock offset from the time source, milliseconds (known with chrony only).
        type: raw
        default: 100
      time_offset_crit_ms:
        description: Absolute clock offset, milliseconds, critical.
        type: raw
        default: 1000
      security_updates_warn:
        description: Number of packages with a pending update from a security suite.
        type: raw
        default: 1
      security_updates_crit:
        description: Number of pending security updates, critical. Off by default.
        type: raw
      apt_lists_max_age_days:
        description:
          - Package lists older than this many days make the security-update check at least
            C(WARN), because its count may be too low.
        type: raw
        default: 7
  load_window:
    description: Which load average the load check classifies (1, 5 or 15 minutes); all three are returned.
    type: int
    choices: [1, 5, 15]
    default: 5
  exclude_mounts:
    description: Mount points to leave out, as shell patterns (C(fnmatch)), for example V(/mnt/backup*).
    type: list
    elements: str
    default: []
  include_network_mounts:
    description: Also inspect network filesystems (nfs, cifs, ceph, glusterfs, fuse.sshfs ...).
    type: bool
    default: false
  ignore_units:
    description:
      - Failed systemd units to ignore, as shell patterns, for example
        V(systemd-networkd-wait-online.service).
    type: list
    elements: str
    default: []
  expected_ports:
    description:
      - Ports that must be listening. V(22) means TCP or UDP port 22, V(tcp/443) and V(udp/123)
        name the protocol. A missing port is C(CRIT). Without this option the port check only
        lists what listens.
    type: list
    elements: str
    default: []
  update_cache:
    description:
      - Run C(apt-get update) before counting security updates. Off by default so that the
        inspection stays strictly read-only; skipped in check mode.
    type: bool
    default: false
  command_timeout:
    description:
      - Seconds each helper command (systemctl, apt-get, chronyc) may take before its check is
        C(UNKNOWN).
    type: int
    default: 30
notes:
  - Supports check mode; the result is the same with and without it.
  - "Time sync: C(chronyc tracking) when chrony is installed (gives the offset), else the
    kernel's clock discipline state (C(adjtimex), what C(timedatectl) reports as
    NTPSynchronized), else C(timedatectl show). Not synchronised is C(CRIT); undeterminable is
    C(WARN)."
  - "Reboot required: C(/var/run/reboot-required) on Debian and Ubuntu, C(needs-restarting -r) where
    it exists, else C(UNKNOWN)."
  - "Security updates: apt only. C(apt-get -s dist-upgrade) (a simulation, no lock taken) counts
    packages whose candidate comes from a C(*-security) suite. Without package lists, or without
    a security suite among them, the check is C(UNKNOWN)."
  - Listening ports are read from C(/proc/net/tcp), C(tcp6), C(udp), C(udp6); the owning process
    is named when the module runs as root.
  - "Status order, best to worst: OK, UNKNOWN, WARN, CRIT. The overall status is the worst."
requirements:
  - Linux with /proc; Python 3.9 or later on the host.
"""

EXAMPLES = r"""
- name: Inspect the host with the default thresholds
  host_health:
  register: health

- name: Inspect with thresholds from the inventory, only disk and memory
  host_health:
    checks: [filesystems, inodes, memory]
    thresholds: "{{ host_health_thresholds | default({}) }}"
    exclude_mounts: ["/mnt/iso*"]

- name: Require ssh and nginx to listen, ignore a known-flaky unit
  host_health:
    expected_ports: ["tcp/22", "tcp/80"]
    ignore_units: ["systemd-networkd-wait-online.service"]

- name: Fail the play when anything is critical
  ansible.builtin.assert:
    that: health.status != 'CRIT'
    fail_msg: "{{ health.checks | selectattr('status', 'eq', 'CRIT') | map(attribute='message') | list }}"
"""

RETURN = r"""
status:
  description: Overall status, the worst of all checks (OK < UNKNOWN < WARN < CRIT).
  returned: always
  type: str
  sample: WARN
summary:
  description: Number of check results per status.
  returned: always
  type: dict
  sample: {"OK": 9, "WARN": 1, "CRIT": 0, "UNKNOWN": 1}
checks:
  description: One entry per check and item (one per mount for filesystems and inodes).
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: The check's name, one of O(checks).
      type: str
      sample: filesystems
    item:
      description: What was checked within the check (the mount point for filesystems and inodes), else empty.
      type: str
      sample: /srv/data
    status:
      description: OK, WARN, CRIT or UNKNOWN.
      type: str
      sample: CRIT
    value:
      description: The measured value (percent, load per core, count, milliseconds), null when unknown.
      type: raw
      sample: 93.4
    unit:
      description: Unit of RV(checks[].value).
      type: str
      sample: "%"
    threshold:
      description: The warning and critical thresholds applied (null when a level is off or does not apply).
      type: dict
      sample: {"warn": 80.0, "crit": 90.0}
    message:
      description: One line for a human.
      type: str
      sample: "/srv/data 93.4% used (46.7 MiB of 50.0 MiB), critical at 90%"
    details:
      description: The check's raw data (bytes, inode counts, unit names, ports, package names ...).
      type: dict
      sample: {"size_bytes": 52428800, "used_bytes": 48968089, "fstype": "tmpfs"}
thresholds:
  description: The thresholds applied, defaults merged with O(thresholds).
  returned: always
  type: dict
  sample: {"fs_warn_pct": 80.0, "fs_crit_pct": 90.0, "security_updates_crit": null}
host:
  description: Facts the checks used.
  returned: always
  type: dict
  contains:
    cpus:
      description: CPUs this process may run on (the load check's divisor).
      type: int
      sample: 2
    uptime_seconds:
      description: Seconds since boot, from /proc/uptime.
      type: float
      sample: 86400.5
    kernel:
      description: Kernel release.
      type: str
      sample: 6.1.0-28-amd64
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.opsbook_health.collect import host_facts, run_checks, summarise
from ansible.module_utils.opsbook_health.ports import parse_expected_port
from ansible.module_utils.opsbook_health.status import (
    ALL_CHECKS,
    DEFAULT_THRESHOLDS,
    coerce_thresholds,
    validate_thresholds,
    worst,
)


def argument_spec() -> dict[str, Any]:
    threshold_options = {
        # raw, not float: an explicit null must reach the module to switch a level off
        key: ({"type": "raw", "default": value} if value is not None else {"type": "raw"})
        for key, value in DEFAULT_THRESHOLDS.items()
    }
    return {
        "checks": {
            "type": "list",
            "elements": "str",
            "choices": list(ALL_CHECKS),
            "default": list(ALL_CHECKS),
        },
        "thresholds": {"type": "dict", "default": {}, "options": threshold_options, "apply_defaults": True},
        "load_window": {"type": "int", "choices": [1, 5, 15], "default": 5},
        "exclude_mounts": {"type": "list", "elements": "str", "default": []},
        "include_network_mounts": {"type": "bool", "default": False},
        "ignore_units": {"type": "list", "elements": "str", "default": []},
        "expected_ports": {"type": "list", "elements": "str", "default": []},
        "update_cache": {"type": "bool", "default": False},
        "command_timeout": {"type": "int", "default": 30},
    }


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params: dict[str, Any] = dict(module.params)
    thresholds, problems = coerce_thresholds(params["thresholds"])
    problems += validate_thresholds(thresholds)
    for spec in params["expected_ports"]:
        try:
            parse_expected_port(spec)
        except ValueError as exc:
            problems.append(str(exc))
    if params["command_timeout"] <= 0:
        problems.append("command_timeout must be a positive number of seconds")
    if problems:
        module.fail_json(msg="host_health: " + "; ".join(problems), changed=False)
    results = run_checks(params, thresholds, check_mode=module.check_mode)
    module.exit_json(
        changed=False,
        status=worst(r["status"] for r in results),
        summary=summarise(results),
        checks=results,
        host=host_facts(),
        thresholds=thresholds,
    )


if __name__ == "__main__":
    main()
