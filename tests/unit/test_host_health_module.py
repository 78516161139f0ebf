"""Unit tests for library/host_health.py and module_utils/opsbook_health: parsers and
classification on recorded inputs, and the module run by real Ansible on localhost.
"""

from __future__ import annotations

import ipaddress
import random
import struct
from types import SimpleNamespace

import pytest
import yaml
from ansible.module_utils.opsbook_health import (
    collect,
    mounts,
    ports,
    resources,
    status,
    timesync,
    updates,
)
from ansible_modules import ROOT, load_module, run_module_with_ansible

FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "health"

hh = load_module("library/host_health.py")
T = status.merge_thresholds({})


# --- classification ------------------------------------------------------------------------------


def test_classify_uses_at_or_above_and_none_disables_a_level():
    assert status.classify(79.9, 80, 90) == "OK"
    assert status.classify(80, 80, 90) == "WARN"
    assert status.classify(90, 80, 90) == "CRIT"
    assert status.classify(99, 80, None) == "WARN"
    assert status.classify(99, None, None) == "OK"
    assert status.classify(None, 80, 90) == "UNKNOWN"


def test_worst_orders_ok_unknown_warn_crit():
    assert status.worst([]) == "OK"
    assert status.worst(["OK", "UNKNOWN"]) == "UNKNOWN"
    assert status.worst(["UNKNOWN", "WARN", "OK"]) == "WARN"
    assert status.worst(["WARN", "CRIT", "UNKNOWN"]) == "CRIT"


def test_thresholds_merge_over_defaults_and_null_switches_a_level_off():
    merged = status.merge_thresholds({"fs_warn_pct": 70, "security_updates_warn": None})
    assert merged["fs_warn_pct"] == 70
    assert merged["fs_crit_pct"] == status.DEFAULT_THRESHOLDS["fs_crit_pct"]
    assert merged["security_updates_warn"] is None


def test_coerce_thresholds_accepts_numbers_and_numeric_strings_only():
    values, problems = status.coerce_thresholds(
        {"fs_warn_pct": "75", "fs_crit_pct": 85, "mem_warn_pct": None}
    )
    assert (values["fs_warn_pct"], values["fs_crit_pct"], values["mem_warn_pct"]) == (75.0, 85.0, None)
    assert problems == []
    _, problems = status.coerce_thresholds({"fs_warn_pct": True, "fs_crit_pct": "high"})
    assert problems == [
        "threshold fs_warn_pct must be a number or null (got True)",
        "threshold fs_crit_pct must be a number or null (got 'high')",
    ]


def test_validate_thresholds_names_each_problem():
    problems = status.validate_thresholds(
        status.merge_thresholds({"fs_warn_pct": 95, "mem_crit_pct": -1, "disk_pct": 3})
    )
    text = "\n".join(problems)
    assert "unknown threshold 'disk_pct'" in text
    assert "mem_crit_pct must not be negative" in text
    assert "fs_warn_pct (95) is above fs_crit_pct (90.0)" in text
    assert status.validate_thresholds(T) == []


def test_documentation_matches_the_code():
    doc = yaml.safe_load(hh.DOCUMENTATION)
    options = doc["options"]["thresholds"]["suboptions"]
    documented = {key: spec.get("default") for key, spec in options.items()}
    assert documented == {
        k: (None if v is None else pytest.approx(v)) for k, v in status.DEFAULT_THRESHOLDS.items()
    }
    assert doc["options"]["checks"]["choices"] == list(status.ALL_CHECKS)
    spec = hh.argument_spec()
    assert set(spec) == set(doc["options"])
    yaml.safe_load(hh.EXAMPLES)
    returned = yaml.safe_load(hh.RETURN)
    assert {"status", "summary", "checks", "host", "thresholds"} <= set(returned)


# --- mounts ------------------------------------------------------------------------------------------


def test_mountinfo_unescapes_spaces_and_keeps_device_and_root():
    text = "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
    (mount,) = mounts.parse_mountinfo(text)
    assert mount.mount_point == "/mnt/my disk"
    assert mount.device == "98:0"
    assert mount.root == "/mnt1"
    assert mount.fstype == "ext3"
    assert "noatime" in mount.options


def test_container_data_mounts_include_root_tmp_and_journal_not_runtime_or_file_binds():
    parsed = mounts.parse_mountinfo((FIXTURES / "mountinfo-podman-container.txt").read_text())
    files = {"/etc/resolv.conf", "/etc/hosts", "/etc/hostname", "/run/.containerenv"}
    selected, skipped = mounts.select_data_mounts(parsed, is_dir=lambda path: path not in files)
    assert [m.mount_point for m in selected] == ["/", "/tmp", "/var/log/journal"]
    assert skipped["/run"] == "runtime tmpfs"
    assert skipped["/dev/shm"] == "runtime tmpfs"
    assert skipped["/sys/fs/cgroup/cpu"] == "pseudo filesystem"
    assert skipped["/etc/hosts"] == "not a directory"
    assert skipped["/proc/acpi"] == "runtime tmpfs"


def test_lab_tmpfs_data_mounts_are_inspected():
    text = (
        "77 50 0:40 / / rw,relatime - overlay overlay rw,lowerdir=/x\n"
        "103 77 0:60 / /srv/data rw,relatime - tmpfs tmpfs rw,size=51200k\n"
        "104 77 0:61 / /var/log rw,relatime - tmpfs tmpfs rw,size=65536k\n"
        "105 82 0:62 / /run/user/0 rw,relatime - tmpfs tmpfs rw\n"
    )
    selected, _ = mounts.select_data_mounts(mounts.parse_mountinfo(text), is_dir=lambda p: True)
    assert [m.mount_point for m in selected] == ["/", "/srv/data", "/var/log"]


def test_host_mounts_skip_container_runtime_layers_and_readonly_tmpfs():
    parsed = mounts.parse_mountinfo((FIXTURES / "mountinfo-host.txt").read_text())
    selected, skipped = mounts.select_data_mounts(parsed, is_dir=lambda p: True)
    assert [m.mount_point for m in selected] == ["/"]
    assert skipped["/mnt/sandboxing/model_tools_env/v1/python"] == "read-only tmpfs"
    layer = next(p for p in skipped if p.endswith("/merged"))
    assert skipped[layer] == "container layer"
    shm = next(p for p in skipped if p.endswith("/userdata/shm"))
    assert skipped[shm] == "container runtime"
    # /run/netns and the podman storage dir are bind mounts of the root filesystem: reported once
    assert skipped["/run/netns"] == "same filesystem as /"
    assert skipped["/var/lib/opsbook/storage/overlay"] == "same filesystem as /"


def test_bind_mounts_of_one_filesystem_are_reported_once_preferring_its_root():
    text = (
        "30 1 8:1 /data/www /var/www rw - ext4 /dev/sda1 rw\n"
        "31 1 8:1 / /data rw - ext4 /dev/sda1 rw\n"
        "32 1 8:2 / / rw - ext4 /dev/sda2 rw\n"
    )
    selected, skipped = mounts.select_data_mounts(mounts.parse_mountinfo(text), is_dir=lambda p: True)
    assert [m.mount_point for m in selected] == ["/", "/data"]
    assert skipped == {"/var/www": "same filesystem as /data"}


def test_network_filesystems_and_excluded_mounts_are_opt_in():
    text = (
        "40 1 0:70 / /mnt/nfs rw - nfs4 srv:/export rw\n"
        "41 1 0:71 / /mnt/backup rw - ext4 /dev/sdb1 rw\n"
        "42 1 0:72 / /snap/core/1 ro - squashfs /dev/loop0 ro\n"
    )
    parsed = mounts.parse_mountinfo(text)
    selected, skipped = mounts.select_data_mounts(parsed, exclude=["/mnt/back*"], is_dir=lambda p: True)
    assert selected == []
    assert skipped == {
        "/mnt/nfs": "network filesystem",
        "/mnt/backup": "excluded",
        "/snap/core/1": "read-only image",
    }
    selected, _ = mounts.select_data_mounts(parsed, include_network=True, is_dir=lambda p: True)
    assert [m.mount_point for m in selected] == ["/mnt/backup", "/mnt/nfs"]


def test_a_later_mount_on_the_same_point_hides_the_earlier_one():
    text = "30 1 8:1 / /srv rw - ext4 /dev/sda1 rw\n31 1 0:50 / /srv rw - tmpfs tmpfs rw\n"
    selected, _ = mounts.select_data_mounts(mounts.parse_mountinfo(text), is_dir=lambda p: True)
    assert [(m.mount_point, m.fstype) for m in selected] == [("/srv", "tmpfs")]


def _statvfs(blocks, bfree, bavail, files, ffree, frsize=4096):
    return SimpleNamespace(
        f_frsize=frsize, f_bsize=frsize, f_blocks=blocks, f_bfree=bfree, f_bavail=bavail, f_files=files,
        f_ffree=ffree,
    )  # fmt: skip


def test_filesystem_usage_counts_like_df_excluding_reserved_blocks():
    # 1000 blocks, 100 free of which 50 are reserved for root: used 900 / (900 + 50) = 94.7 %
    usage = mounts.fs_usage_from_statvfs(_statvfs(1000, 100, 50, 1000, 400))
    mount = mounts.Mount("/srv/data", "ext4", "/dev/sdb1", "8:17", "/", ("rw",))
    checked = mounts.check_filesystem(mount, usage, T)
    assert checked["status"] == "CRIT"
    assert checked["value"] == 94.7
    assert checked["item"] == "/srv/data"
    assert checked["threshold"] == {"warn": 80.0, "crit": 90.0}
    assert checked["message"].startswith("/srv/data 94.7% used")
    assert "critical at 90%" in checked["message"]
    inodes = mounts.check_inodes(mount, usage, T)
    assert (inodes["status"], inodes["value"]) == ("OK", 60.0)


def test_filesystem_without_inode_table_is_ok_with_no_value():
    usage = mounts.fs_usage_from_statvfs(_statvfs(1000, 900, 900, 0, 0))
    mount = mounts.Mount("/data", "btrfs", "/dev/sdc", "0:33", "/", ("rw",))
    inodes = mounts.check_inodes(mount, usage, T)
    assert inodes["status"] == "OK"
    assert inodes["value"] is None
    assert "no fixed inode table" in inodes["message"]


def test_filesystem_warn_between_thresholds():
    usage = mounts.fs_usage_from_statvfs(_statvfs(1000, 150, 150, 10, 1))
    mount = mounts.Mount("/var/log", "tmpfs", "tmpfs", "0:61", "/", ("rw",))
    assert mounts.check_filesystem(mount, usage, T)["status"] == "WARN"
    assert mounts.check_inodes(mount, usage, T)["status"] == "CRIT"


# --- memory, swap, load ------------------------------------------------------------------------------

MEMINFO = """MemTotal:        1000000 kB
MemFree:          50000 kB
MemAvailable:     80000 kB
Buffers:          10000 kB
Cached:           20000 kB
SwapTotal:       200000 kB
SwapFree:         50000 kB
HugePages_Total:       0
"""


def test_memory_counts_available_as_free():
    info = resources.parse_meminfo(MEMINFO)
    assert info["MemTotal"] == 1000000 * 1024
    assert info["HugePages_Total"] == 0
    checked = resources.check_memory(info, T)
    assert (checked["status"], checked["value"]) == ("WARN", 92.0)


def test_memory_falls_back_without_memavailable():
    info = resources.parse_meminfo(MEMINFO.replace("MemAvailable:     80000 kB\n", ""))
    checked = resources.check_memory(info, T)
    assert checked["value"] == 92.0  # 50000 + 10000 + 20000 free


def test_swap_use_and_no_swap():
    info = resources.parse_meminfo(MEMINFO)
    assert (resources.check_swap(info, T)["status"], resources.check_swap(info, T)["value"]) == ("WARN", 75.0)
    none = resources.check_swap({"SwapTotal": 0, "SwapFree": 0}, T)
    assert none["status"] == "OK"
    assert none["message"] == "no swap configured"


def test_load_per_core_classifies_the_chosen_window():
    loads = resources.parse_loadavg("5.00 3.00 1.00 2/345 6789\n")
    checked = resources.check_load(loads, 2, 5, T)
    assert (checked["status"], checked["value"]) == ("WARN", 1.5)
    assert checked["details"]["per_core"] == [2.5, 1.5, 0.5]
    assert resources.check_load(loads, 2, 1, T)["status"] == "CRIT"
    assert resources.check_load(loads, 2, 15, T)["status"] == "OK"
    with pytest.raises(ValueError):
        resources.parse_loadavg("")


# --- systemd -----------------------------------------------------------------------------------------

FAILED_UNITS = """opsbook-broken.service loaded failed failed /bin/false
\u25cf nginx.service        loaded failed failed A high performance web server
logrotate.timer        loaded failed failed Daily rotation of log files
"""


def test_failed_units_parsed_from_plain_output_with_or_without_bullets():
    assert resources.parse_failed_units(FAILED_UNITS) == [
        "opsbook-broken.service",
        "nginx.service",
        "logrotate.timer",
    ]
    assert resources.parse_failed_units("") == []


def test_failed_units_classified_and_ignored_by_pattern():
    units = resources.parse_failed_units(FAILED_UNITS)
    checked = resources.check_failed_units(units, ["logrotate.*"], T)
    assert checked["status"] == "CRIT"
    assert checked["value"] == 2
    assert checked["details"]["failed"] == ["opsbook-broken.service", "nginx.service"]
    assert checked["message"] == "2 failed units: opsbook-broken.service, nginx.service (1 ignored)"
    relaxed = status.merge_thresholds({"failed_units_crit": 3})
    assert resources.check_failed_units(units, [], relaxed)["status"] == "CRIT"
    assert resources.check_failed_units(units[:1], [], relaxed)["status"] == "WARN"
    clean = resources.check_failed_units([], [], T)
    assert (clean["status"], clean["message"]) == ("OK", "no failed units")


# --- time sync ---------------------------------------------------------------------------------------

CHRONY_SYNCED = """Reference ID    : C0A80101 (192.168.1.1)
Stratum         : 3
Ref time (UTC)  : Thu Nov 27 10:00:00 2026
System time     : 0.250000000 seconds slow of NTP time
Last offset     : -0.000012 seconds
Leap status     : Normal
"""
CHRONY_UNSYNCED = """Reference ID    : 00000000 ()
Stratum         : 0
System time     : 0.000000000 seconds fast of NTP time
Leap status     : Not synchronised
"""


def test_chrony_offset_is_classified_in_milliseconds():
    tracking = timesync.parse_chronyc_tracking(CHRONY_SYNCED)
    assert tracking["offset_seconds"] == -0.25
    assert tracking["stratum"] == 3
    checked = timesync.check_time_chrony(tracking, T)
    assert (checked["status"], checked["value"], checked["unit"]) == ("WARN", 250.0, "ms")


def test_chrony_not_synchronised_is_crit():
    checked = timesync.check_time_chrony(timesync.parse_chronyc_tracking(CHRONY_UNSYNCED), T)
    assert checked["status"] == "CRIT"
    assert "not synchronised" in checked["message"]


def test_chrony_without_leap_status_is_warn_not_ok():
    assert timesync.check_time_chrony(timesync.parse_chronyc_tracking("garbage"), T)["status"] == "WARN"


def test_kernel_clock_state():
    assert timesync.check_time_kernel(0, T)["status"] == "OK"
    assert timesync.check_time_kernel(timesync.TIME_ERROR, T)["status"] == "CRIT"
    assert timesync.check_time_kernel(17, T)["status"] == "WARN"


def test_timedatectl_unknown_is_warn():
    props = timesync.parse_key_values("Timezone=UTC\nNTP=yes\nNTPSynchronized=no\n")
    checked = timesync.check_time_timedatectl(props, T)
    assert checked["status"] == "CRIT"
    assert "NTP service active" in checked["message"]
    assert timesync.check_time_timedatectl({"NTPSynchronized": "yes"}, T)["status"] == "OK"
    assert timesync.check_time_timedatectl({}, T)["status"] == "WARN"


# --- reboot ------------------------------------------------------------------------------------------


def test_reboot_required():
    flagged = updates.check_reboot(True, ["linux-image-amd64", "libc6"], True, None)
    assert flagged["status"] == "WARN"
    assert flagged["value"] is True
    assert "linux-image-amd64, libc6" in flagged["message"]
    assert updates.check_reboot(False, [], True, None)["status"] == "OK"
    assert updates.check_reboot(False, [], False, 1)["status"] == "WARN"
    assert updates.check_reboot(False, [], False, 0)["status"] == "OK"
    assert updates.check_reboot(False, [], False, None)["status"] == "UNKNOWN"


# --- security updates --------------------------------------------------------------------------------

APT_SIM = (FIXTURES / "apt-get-s-dist-upgrade.txt").read_text()


def test_apt_simulation_counts_security_suite_packages():
    upgrades = updates.parse_apt_simulation(APT_SIM)
    assert [u.package for u in upgrades] == ["base-files", "libgcrypt20-dev", "liblzma5", "openssl"]
    assert [u.security for u in upgrades] == [False, True, True, True]
    assert upgrades[3].installed == ""
    checked = updates.check_security_updates(upgrades, 0.5, True, T)
    assert (checked["status"], checked["value"]) == ("WARN", 3)
    assert checked["details"]["security"] == ["libgcrypt20-dev", "liblzma5", "openssl"]
    assert checked["message"].startswith("3 security updates pending")


def test_no_security_updates_is_ok_but_stale_lists_warn():
    upgrades = updates.parse_apt_simulation(APT_SIM.splitlines()[0])
    fresh = updates.check_security_updates(upgrades, 1.0, True, T)
    assert (fresh["status"], fresh["value"]) == ("OK", 0)
    stale = updates.check_security_updates(upgrades, 30.0, True, T)
    assert stale["status"] == "WARN"
    assert "30 days old" in stale["message"]


def test_security_updates_unknown_without_lists_or_security_source():
    assert updates.check_security_updates([], None, False, T)["status"] == "UNKNOWN"
    nosec = updates.check_security_updates([], 1.0, False, T)
    assert nosec["status"] == "UNKNOWN"
    assert "no security suite" in nosec["message"]


def test_apt_lists_state_reads_ages_and_security_source(tmp_path):
    assert collect.apt_lists_state(str(tmp_path)) == (None, False)
    (tmp_path / "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4").write_text("")
    (tmp_path / "deb.debian.org_debian_dists_bookworm_InRelease").write_text("")
    age, security = collect.apt_lists_state(str(tmp_path))
    assert age is not None and age < 0.01
    assert security is False
    (
        tmp_path / "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"
    ).write_text("")
    assert collect.apt_lists_state(str(tmp_path))[1] is True


# --- ports -------------------------------------------------------------------------------------------

TCP = (FIXTURES / "proc-net-tcp.txt").read_text()
TCP6 = (FIXTURES / "proc-net-tcp6.txt").read_text()
UDP = (FIXTURES / "proc-net-udp.txt").read_text()


def test_proc_net_listeners_tcp_listen_and_unconnected_udp_only():
    listeners = (
        ports.parse_proc_net(TCP, "tcp")
        + ports.parse_proc_net(TCP6, "tcp6")
        + ports.parse_proc_net(UDP, "udp")
    )
    assert [(lst.proto, lst.address, lst.port) for lst in listeners] == [
        ("tcp", "0.0.0.0", 22),
        ("tcp", "127.0.0.1", 5432),
        ("tcp", "::", 22),
        ("tcp", "::1", 80),
        ("tcp", "::ffff:127.0.0.1", 8080),
        ("udp", "127.0.0.1", 323),
    ]


@pytest.mark.parametrize(
    ("hex_address", "text"),
    [
        ("0100007F", "127.0.0.1"),
        ("00000000000000000000000000000000", "::"),
        ("00000000000000000000000001000000", "::1"),
        ("000080FE00000000FF005002ABE0B7FE", "fe80::250:ff:feb7:e0ab"),
        ("B80D0120000000000000000001000000", "2001:db8::1"),
    ],
)
def test_decode_proc_address(hex_address, text):
    assert ports.decode_proc_address(hex_address) == text


def test_decode_proc_address_agrees_with_ipaddress():
    rng = random.Random(7)
    for _ in range(500):
        raw = bytes(rng.choice([0, 0, 0, rng.randrange(256)]) for _ in range(16))
        kernel_hex = "".join(struct.pack("<I", w).hex().upper() for w in struct.unpack(">4I", raw))
        expected = ipaddress.IPv6Address(raw)
        text = f"::ffff:{expected.ipv4_mapped}" if expected.ipv4_mapped else str(expected)
        assert ports.decode_proc_address(kernel_hex) == text


def test_ports_lists_listeners_with_processes_and_flags_missing_expected_ports():
    listeners = ports.parse_proc_net(TCP, "tcp") + ports.parse_proc_net(UDP, "udp")
    owners = {"1001": "sshd", "1002": "postgres", "1007": "chronyd"}
    listing = ports.check_ports(listeners, owners, [])
    assert listing["status"] == "OK"
    assert listing["message"] == "listening: tcp 22,5432; udp 323"
    assert {"proto": "tcp", "address": "0.0.0.0", "port": 22, "process": "sshd"} in listing["details"][
        "listening"
    ]
    missing = ports.check_ports(listeners, owners, ["22", "tcp/443", "udp/323", "udp/22"])
    assert missing["status"] == "CRIT"
    assert missing["details"]["missing"] == ["tcp/443", "udp/22"]
    assert missing["message"].startswith("expected ports not listening: tcp/443, udp/22")


@pytest.mark.parametrize("spec", ["http", "tcp/", "sctp/22", "0", "70000", "tcp/22/x"])
def test_bad_expected_port_is_rejected(spec):
    with pytest.raises(ValueError, match="expected_ports entry"):
        ports.parse_expected_port(spec)


# --- the bundle --------------------------------------------------------------------------------------


def test_a_crashing_check_becomes_unknown_not_a_module_failure():
    def boom():
        raise RuntimeError("no /proc here")

    (checked,) = collect.guarded("load", boom)
    assert checked["status"] == "UNKNOWN"
    assert checked["message"] == "check failed: RuntimeError: no /proc here"


def test_summary_counts_every_status():
    results = [status.result("a", "OK", ""), status.result("b", "CRIT", ""), status.result("c", "OK", "")]
    assert collect.summarise(results) == {"OK": 2, "UNKNOWN": 0, "WARN": 0, "CRIT": 1}


# --- the module as Ansible runs it (argument spec, check mode, output shape) --------------------------


def _run_module(tmp_path, args):
    check = bool(args.pop("_ansible_check_mode", False))
    return run_module_with_ansible("host_health", args, check=check)


def test_module_rejects_bad_thresholds_and_ports_before_checking(tmp_path):
    out = _run_module(
        tmp_path, {"thresholds": {"fs_warn_pct": 95, "mem_warn_pct": "lots"}, "expected_ports": ["http"]}
    )
    assert out["failed"] is True
    assert "fs_warn_pct (95.0) is above fs_crit_pct (90.0)" in out["msg"]
    assert "threshold mem_warn_pct must be a number or null (got 'lots')" in out["msg"]
    assert "expected_ports entry 'http'" in out["msg"]
    unknown = _run_module(tmp_path, {"thresholds": {"disk_pct": 5}})
    assert unknown["failed"] is True
    assert "disk_pct" in unknown["msg"]


def test_module_in_check_mode_reports_and_changes_nothing(tmp_path):
    out = _run_module(
        tmp_path,
        {
            "checks": ["filesystems", "memory", "load", "ports"],
            "thresholds": {"mem_warn_pct": 0, "mem_crit_pct": None},
            "_ansible_check_mode": True,
        },
    )
    assert out["changed"] is False
    assert "failed" not in out
    assert {c["check"] for c in out["checks"]} == {"filesystems", "memory", "load", "ports"}
    memory = next(c for c in out["checks"] if c["check"] == "memory")
    assert memory["status"] == "WARN"  # warn at 0 %: any use warns; crit switched off
    assert memory["threshold"] == {"warn": 0.0, "crit": None}
    assert out["thresholds"]["fs_crit_pct"] == 90.0
    assert out["status"] == status.worst(c["status"] for c in out["checks"])
    assert sum(out["summary"].values()) == len(out["checks"])
    assert out["host"]["cpus"] >= 1
